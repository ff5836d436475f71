using Gateway.ProxyService.Infrastructure;
using Gateway.ProxyService.Model;
using Microsoft.Extensions.Options;

namespace Gateway.ProxyService.Services;

/// <summary>
/// Keeps trying every settlement that has not reached BillingService until it lands. The work
/// list is the ledger's pending-settlement index, not memory: settlements left by a crash, a
/// restart or another replica are found by the next scan. Each record carries its own next-attempt
/// time (exponential backoff, see <see cref="SettlementOptions"/>).
/// </summary>
internal sealed class SettlementRetrier(
    CallLedger ledger,
    CallSettler settler,
    SettlementSignal signal,
    TimeProvider time,
    IOptions<ProxyOptions> options,
    ILogger<SettlementRetrier> logger) : BackgroundService
{
    private SettlementOptions Settings => options.Value.Settlement;

    // A settlement decided moments ago is being attempted by the request that decided it; the
    // retrier gives that attempt the time it is allowed before trying too.
    private TimeSpan InlineGrace => options.Value.BillingTimeout;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                var nextDue = await RunOnceAsync(stoppingToken).ConfigureAwait(false);
                wait = nextDue is { } due ? Clamp(due - time.GetUtcNow()) : Settings.ScanInterval;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                // The sidecar or store is down: nothing is lost (the index is durable), try again later.
                ProxyLog.RetrierPassFailed(logger, e);
                wait = Settings.ScanInterval;
            }

            try
            {
                await signal.WaitAsync(wait, time, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One pass over the index: settles what is due; returns when the next one falls due, if any.</summary>
    internal async Task<DateTimeOffset?> RunOnceAsync(CancellationToken cancellationToken)
    {
        var pending = await ledger.ReadPendingAsync(cancellationToken).ConfigureAwait(false);
        if (pending.Count > 0)
        {
            ProxyLog.PendingFound(logger, pending.Count);
        }

        DateTimeOffset? nextDue = null;
        foreach (var callId in pending)
        {
            var record = await ledger.GetAsync(callId, cancellationToken).ConfigureAwait(false);
            if (record is not { Status: CallStatus.FinalizePending, Settlement: { } settlement })
            {
                // Landed, but the index update that goes with it was lost: tidy up.
                await ledger.RemovePendingAsync(callId, cancellationToken).ConfigureAwait(false);
                continue;
            }

            var due = settlement.NextAttemptAt ?? record.UpdatedAt + InlineGrace;
            if (due > time.GetUtcNow())
            {
                nextDue = nextDue is { } earliest && earliest < due ? earliest : due;
                continue;
            }

            var after = await settler.SettleAsync(record, cancellationToken).ConfigureAwait(false);
            if (after.Status == CallStatus.FinalizePending && after.Settlement?.NextAttemptAt is { } retryAt)
            {
                nextDue = nextDue is { } earliest && earliest < retryAt ? earliest : retryAt;
            }
        }

        return nextDue;
    }

    private TimeSpan Clamp(TimeSpan wait) =>
        wait < TimeSpan.FromMilliseconds(10) ? TimeSpan.FromMilliseconds(10) : wait > Settings.ScanInterval ? Settings.ScanInterval : wait;
}
