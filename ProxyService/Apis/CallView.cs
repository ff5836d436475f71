using Gateway.ProxyService.Model;

namespace Gateway.ProxyService.Apis;

/// <summary>
/// A call as <c>GET /api/calls/{id}</c> shows it: where it stands, what was held and what is owed
/// to billing and how delivering it goes. Status codes of the stored answers, not their bodies.
/// </summary>
internal sealed record CallView(
    string CallId,
    string Provider,
    string Operation,
    CallStatus Status,
    CallOutcome? Outcome,
    string? Reason,
    string? AccountId,
    string? TaskId,
    CallView.BillingView Billing,
    CallView.SettlementView? Settlement,
    int? SubmitStatusCode,
    int? FinalStatusCode,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    public static CallView From(CallRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var billing = record.Billing;
        return new CallView(
            record.CallId,
            record.Provider,
            record.Operation,
            record.Status,
            record.Outcome,
            record.Reason,
            record.AccountId,
            record.TaskId,
            new BillingView(billing.Mode.ToString().ToLowerInvariant(), billing.ReservationId, billing.Amount, billing.AmountType, billing.ExpiresAt, billing.UnbilledReason),
            record.Settlement is { } s ? new SettlementView(s.Kind, s.Amount, s.Reason, s.Failures, s.NextAttemptAt, s.LastError, s.Result, s.Charged, s.SettledAt) : null,
            record.SubmitResponse?.StatusCode,
            record.FinalResponse?.StatusCode,
            record.CreatedAt,
            record.UpdatedAt);
    }

    /// <summary>The reservation: <c>reservationId</c> null for an unbilled call, with <c>unbilledReason</c> saying why.</summary>
    internal sealed record BillingView(string Mode, string? ReservationId, long Amount, string AmountType, DateTimeOffset? ExpiresAt, string? UnbilledReason);

    /// <summary>What is owed to billing: <c>result</c> null until it lands; <c>failures</c>, <c>nextAttemptAt</c>, <c>lastError</c> while it does not.</summary>
    internal sealed record SettlementView(SettlementKind Kind, long Amount, string Reason, int Failures, DateTimeOffset? NextAttemptAt, string? LastError, string? Result, long? Charged, DateTimeOffset? SettledAt);
}
