using System.Threading.Channels;

namespace Gateway.ProxyService.Services.Llm;

/// <summary>
/// Sends the outcome of answered calls (usage, cost, latency) to PoolService off the client's
/// path: a bounded queue drained by a few workers. A full queue makes callers wait (PoolService is
/// slower than the traffic; nothing is dropped); a stopping service drains what is queued within the
/// host's shutdown time and reports anything enqueued after that directly. Only a crash loses the
/// reports still queued.
/// </summary>
internal sealed class OutcomeReporter(PoolClient pool, ILogger<OutcomeReporter> logger) : BackgroundService
{
    /// <summary>Reports sent at once; a backend's reports queue in its actor anyway.</summary>
    private const int Workers = 4;

    private const int Capacity = 10_000;

    private readonly Channel<(Lease Lease, CallOutcome Outcome)> _queue = Channel.CreateBounded<(Lease, CallOutcome)>(
        new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.Wait, SingleReader = false, SingleWriter = false });

    /// <summary>Queues the report of <paramref name="lease"/>; reports it directly when the service is stopping.</summary>
    public async ValueTask EnqueueAsync(Lease lease, CallOutcome outcome)
    {
        if (_queue.Writer.TryWrite((lease, outcome)))
        {
            return;
        }

        try
        {
            await _queue.Writer.WriteAsync((lease, outcome)).ConfigureAwait(false);
        }
        catch (ChannelClosedException)
        {
            await pool.ReportAsync(lease, outcome, CancellationToken.None).ConfigureAwait(false);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (_queue.Reader.Count > 0)
        {
            LlmLog.ReportsDropped(logger, _queue.Reader.Count);
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(Enumerable.Range(0, Workers).Select(_ => DrainAsync()));

    /// <summary>Sends reports until the queue is completed and empty (the host stops waiting when its shutdown time is up).</summary>
    private async Task DrainAsync()
    {
        while (await _queue.Reader.WaitToReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            while (_queue.Reader.TryRead(out var report))
            {
                await pool.ReportAsync(report.Lease, report.Outcome, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }
}
