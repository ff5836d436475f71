using System.Diagnostics.Metrics;
using System.Threading.Channels;
using Gateway.ProxyService.Infrastructure;

namespace Gateway.ProxyService.Services.Llm;

/// <summary>
/// Sends the outcome of answered calls (usage, cost, latency) to PoolService off the client's
/// path: a bounded queue drained by a few workers. A full queue makes callers wait (PoolService is
/// slower than the traffic; nothing is dropped); a stopping service drains what is queued within the
/// host's shutdown time and reports anything enqueued after that directly. Only a crash loses the
/// reports still queued. The gauge <c>gateway.proxy.llm.reports_queued</c> shows how far the
/// reports lag behind the answers.
/// </summary>
internal sealed class OutcomeReporter : BackgroundService
{
    /// <summary>Gauge <c>gateway.proxy.llm.reports_queued</c>: outcome reports waiting to be sent to PoolService.</summary>
    public const string QueuedInstrument = "gateway.proxy.llm.reports_queued";

    /// <summary>The most reports waiting before callers wait too: a few seconds of traffic, so cooldowns and usage never lag far behind.</summary>
    public const int Capacity = 1_000;

    /// <summary>Reports sent at once; a backend's reports queue in its actor anyway.</summary>
    private const int Workers = 4;

    private readonly Channel<(Lease Lease, CallOutcome Outcome)> _queue = Channel.CreateBounded<(Lease, CallOutcome)>(
        new BoundedChannelOptions(Capacity) { FullMode = BoundedChannelFullMode.Wait, SingleReader = false, SingleWriter = false });

    private readonly PoolClient _pool;
    private readonly ILogger<OutcomeReporter> _logger;

    public OutcomeReporter(PoolClient pool, IMeterFactory meterFactory, ILogger<OutcomeReporter> logger)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        (_pool, _logger) = (pool, logger);
        meterFactory.Create(ProxyTelemetry.Name).CreateObservableGauge(QueuedInstrument, () => _queue.Reader.Count, "{report}", "Outcome reports waiting to be sent to PoolService.");
    }

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
            await _pool.ReportAsync(lease, outcome, CancellationToken.None).ConfigureAwait(false);
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        _queue.Writer.TryComplete();
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (_queue.Reader.Count > 0)
        {
            LlmLog.ReportsDropped(_logger, _queue.Reader.Count);
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
                await _pool.ReportAsync(report.Lease, report.Outcome, CancellationToken.None).ConfigureAwait(false);
            }
        }
    }
}
