using Gateway.ProxyService.Model;

namespace Gateway.ProxyService.Services;

/// <summary>What <see cref="CallTransitions.Apply"/> made of an event.</summary>
internal enum TransitionKind
{
    /// <summary>The event changes the call: write <see cref="CallTransition.Record"/> over the ETag read.</summary>
    Applied = 0,

    /// <summary>
    /// The call is already past the event's starting state (this event, or a competing one, was
    /// applied first): nothing to write; <see cref="CallTransition.Record"/> is the call as it stands.
    /// </summary>
    AlreadyApplied = 1,

    /// <summary>The event cannot happen in the call's state yet: a bug or a stale reader; nothing to write.</summary>
    Refused = 2,
}

/// <summary>The result of applying an event: the record to write (Applied) or the record as it stands.</summary>
internal sealed record CallTransition(TransitionKind Kind, CallRecord Record, string? Why = null)
{
    public bool IsApplied => Kind == TransitionKind.Applied;
}

/// <summary>
/// The state machine of a tracked call: the only place a <see cref="CallRecord"/> changes.
/// </summary>
/// <remarks>
/// <code>
/// reserving ──ReservationHeld / ReservationSkipped──> submitting ──TaskAccepted──> running
///     └──SubmitRejected──> rejected          │                                   │
///                                SubmitFailed│                          TaskEnded│
///                                            ▼                                   ▼
///                   billed: finalize_pending(release)      billed: finalize_pending(charge | release)
///                   unbilled: failed                       unbilled: completed | failed
/// finalize_pending ──SettlementFailed──> finalize_pending (failures + 1, next attempt)
/// finalize_pending ──SettlementLanded──> completed (succeeded) | failed
/// </code>
/// Every event names the one state it leaves. A call already past that state answers
/// <see cref="TransitionKind.AlreadyApplied"/>, which is what makes the writers idempotent: the
/// second of two concurrent pollers that saw a terminal status, or a writer re-reading after an
/// unconfirmed write, finds the decision already taken and uses it instead of taking another.
/// </remarks>
internal static class CallTransitions
{
    public static CallTransition Apply(CallRecord record, CallEvent @event, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(@event);
        if (record.Status != @event.From)
        {
            return Rank(record.Status) > Rank(@event.From)
                ? new(TransitionKind.AlreadyApplied, record)
                : new(TransitionKind.Refused, record, $"{@event.GetType().Name} cannot apply to a call that is {record.Status}");
        }

        var next = @event switch
        {
            ReservationHeld held => record with
            {
                Status = CallStatus.Submitting,
                Billing = record.Billing with { ReservationId = held.ReservationId, ExpiresAt = held.ExpiresAt },
            },
            ReservationSkipped skipped => record with
            {
                Status = CallStatus.Submitting,
                Billing = record.Billing with { UnbilledReason = skipped.Reason },
            },
            SubmitRejected rejected => record with
            {
                Status = CallStatus.Rejected,
                Outcome = CallOutcome.Rejected,
                Reason = rejected.Reason,
                SubmitResponse = rejected.Response,
            },
            TaskAccepted accepted => record with
            {
                Status = CallStatus.Running,
                TaskId = accepted.TaskId,
                SubmitResponse = accepted.Response,
            },
            SubmitFailed failed => Decide(record with { SubmitResponse = failed.Response, Reason = failed.Reason }, CallOutcome.SubmitFailed, new Settlement(SettlementKind.Release, 0, failed.Reason)),
            TaskEnded ended => Decide(
                record with { FinalResponse = ended.Response, Reason = ended.Succeeded ? null : ended.Reason },
                ended.Succeeded ? CallOutcome.Succeeded : CallOutcome.TaskFailed,
                ended.Succeeded ? new Settlement(SettlementKind.Charge, ended.Amount, ended.Reason) : new Settlement(SettlementKind.Release, 0, ended.Reason)),
            SettlementLanded landed => record with
            {
                Status = record.Outcome == CallOutcome.Succeeded ? CallStatus.Completed : CallStatus.Failed,
                Settlement = record.Settlement! with { Result = landed.Result, Charged = landed.Charged, SettledAt = now, NextAttemptAt = null },
            },
            SettlementFailed failed => record with
            {
                Settlement = record.Settlement! with { Failures = record.Settlement.Failures + 1, NextAttemptAt = failed.NextAttemptAt, LastError = failed.Error },
            },
            _ => throw new ArgumentOutOfRangeException(nameof(@event), @event.GetType().Name, "Unknown call event."),
        };
        return new(TransitionKind.Applied, next with { UpdatedAt = now });
    }

    /// <summary>A billed call owes a settlement and waits for it; an unbilled one ends here.</summary>
    private static CallRecord Decide(CallRecord record, CallOutcome outcome, Settlement settlement) => record.IsBilled
        ? record with { Status = CallStatus.FinalizePending, Outcome = outcome, Settlement = settlement }
        : record with { Status = outcome == CallOutcome.Succeeded ? CallStatus.Completed : CallStatus.Failed, Outcome = outcome };

    /// <summary>How far along a state is; the terminal states are all last.</summary>
    private static int Rank(CallStatus status) => status switch
    {
        CallStatus.Reserving => 0,
        CallStatus.Submitting => 1,
        CallStatus.Running => 2,
        CallStatus.FinalizePending => 3,
        _ => 4,
    };
}
