using Gateway.ProxyService.Infrastructure;
using Gateway.ProxyService.Model;
using Microsoft.Extensions.Options;

namespace Gateway.ProxyService.Services;

/// <summary>
/// Delivers a decided settlement (charge or release) to BillingService and records how it went.
/// Safe to run any number of times, concurrently too: the amount and reason are fixed in the
/// record before the first attempt, and BillingService answers a repeat of the same outcome with
/// 200, so a call is charged once however many attempts reach it.
/// </summary>
internal sealed class CallSettler(
    CallLedger ledger,
    BillingClient billing,
    SettlementSignal signal,
    ProxyTelemetry telemetry,
    TimeProvider time,
    IOptions<ProxyOptions> options,
    ILogger<CallSettler> logger)
{
    private SettlementOptions Retry => options.Value.Settlement;

    /// <summary>Settles <paramref name="record"/> if it owes a settlement; returns the call as it stands afterwards.</summary>
    public async Task<CallRecord> SettleAsync(CallRecord record, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (record.Status != CallStatus.FinalizePending || record.Settlement is not { } settlement || record.Billing.ReservationId is not { } reservationId)
        {
            return record;
        }

        using var activity = ProxyTelemetry.StartActivity("settle", record.Provider);
        activity?.SetTag(ProxyTelemetry.CallTag, record.CallId);
        var kind = settlement.Kind == SettlementKind.Charge ? "charge" : "release";
        var result = settlement.Kind == SettlementKind.Charge
            ? await billing.FinalizeAsync(reservationId, settlement.Amount, settlement.Reason, cancellationToken).ConfigureAwait(false)
            : await billing.ReleaseAsync(reservationId, settlement.Reason, cancellationToken).ConfigureAwait(false);
        LedgerResult update;
        if (result is SettleResult.Landed landed)
        {
            telemetry.CountSettlement(kind, "landed");
            ProxyLog.SettlementLanded(logger, record.CallId, kind, landed.Status, landed.Charged);
            var expected = settlement.Kind == SettlementKind.Charge && settlement.Amount > 0 ? "finalized" : "released";
            if (landed.Status != expected)
            {
                ProxyLog.SettlementOverruled(logger, record.CallId, kind, landed.Status);
            }

            update = await ledger.ApplyAsync(record.CallId, _ => new SettlementLanded(landed.Status, landed.Charged), cancellationToken).ConfigureAwait(false);
        }
        else
        {
            var detail = ((SettleResult.Unavailable)result).Detail;
            telemetry.CountSettlement(kind, "deferred");
            update = await ledger.ApplyAsync(
                record.CallId,
                current => new SettlementFailed(detail, time.GetUtcNow() + Retry.RetryDelay((current.Settlement?.Failures ?? 0) + 1)),
                cancellationToken).ConfigureAwait(false);
            if (update.Record?.Settlement is { NextAttemptAt: { } next } deferred)
            {
                ProxyLog.SettlementDeferred(logger, record.CallId, kind, detail, deferred.Failures, next);
            }

            signal.Wake();
        }

        return update.Record ?? record;
    }
}
