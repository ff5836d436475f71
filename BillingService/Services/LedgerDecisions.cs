using Gateway.BillingService.Model;

namespace Gateway.BillingService.Services;

/// <summary>The documents a decision writes, all in one state transaction.</summary>
/// <param name="Account">The account's new version.</param>
/// <param name="Entries">New ledger entries, numbered from the account's previous <see cref="Account.NextEntrySeq"/>.</param>
internal sealed record LedgerWrite(Account Account, IReadOnlyList<LedgerEntry> Entries);

internal enum ResolveOutcome
{
    /// <summary>This request moved the reservation to finalized or released (200).</summary>
    Resolved,

    /// <summary>Already resolved with exactly the outcome asked for (200, same body).</summary>
    Repeated,

    /// <summary>Already resolved with another outcome (409, the winning outcome in the body).</summary>
    Conflict,

    /// <summary>Expired, now or before (409 <c>reservation_expired</c>; for the sweeper: expired now).</summary>
    Expired,

    /// <summary>A fixed reservation finalized with another amount than its hold (422).</summary>
    AmountMismatch,

    /// <summary>The charge would take the account's figures past <see cref="LedgerLimits.MaxTotal"/> (422).</summary>
    LimitExceeded,

    /// <summary>Sweeper only: not expired yet.</summary>
    NotDue,

    /// <summary>Sweeper only: already terminal, nothing to do.</summary>
    Settled,
}

/// <summary>
/// What <see cref="ReservationLedger.Decide"/> concluded. <see cref="Write"/> is null when nothing
/// changes; otherwise <see cref="Reservation"/> is the new version to write with it.
/// </summary>
internal sealed record ResolveDecision(ResolveOutcome Outcome, Reservation Reservation, LedgerWrite? Write = null);

/// <summary>What <see cref="ReservationLedger.Reserve"/> concluded.</summary>
internal abstract record ReserveDecision
{
    private ReserveDecision()
    {
    }

    /// <summary>
    /// Write <paramref name="Reservation"/>, <paramref name="Write"/> and <paramref name="Idempotency"/>
    /// (null without an idempotency key) in one transaction.
    /// </summary>
    public sealed record Created(Reservation Reservation, LedgerWrite Write, ReserveIdempotency? Idempotency) : ReserveDecision;

    /// <summary>The key was used with the same request: answer with the reservation it created.</summary>
    public sealed record Replayed(string ReservationId) : ReserveDecision;

    /// <summary>The key was used with another request (409).</summary>
    public sealed record IdempotencyConflict : ReserveDecision;

    /// <summary>No such account (400).</summary>
    public sealed record UnknownAccount : ReserveDecision;

    /// <summary>The account's available funds, <paramref name="Available"/>, are below the amount (402).</summary>
    public sealed record InsufficientFunds(long Available) : ReserveDecision;
}

/// <summary>What <see cref="ReservationLedger.Credit"/> concluded.</summary>
internal abstract record CreditDecision
{
    private CreditDecision()
    {
    }

    /// <summary>Write <paramref name="Write"/> and the idempotency record <paramref name="Result"/> (the answer) in one transaction.</summary>
    public sealed record Credited(CreditIdempotency Result, LedgerWrite Write) : CreditDecision;

    /// <summary>The key was used with the same request: answer with its <paramref name="Result"/>.</summary>
    public sealed record Replayed(CreditIdempotency Result) : CreditDecision;

    /// <summary>The key was used with another request (409).</summary>
    public sealed record IdempotencyConflict : CreditDecision;

    /// <summary>The credit would take the account's figures past <see cref="LedgerLimits.MaxTotal"/> (422).</summary>
    public sealed record LimitExceeded : CreditDecision;
}

/// <summary>What <see cref="ReservationLedger.SetCreditLimit"/> concluded.</summary>
internal abstract record CreditLimitDecision
{
    private CreditLimitDecision()
    {
    }

    /// <summary>The account already has this limit: nothing to write.</summary>
    public sealed record Unchanged(Account Account) : CreditLimitDecision;

    /// <summary>Write <paramref name="Account"/> (new when the account did not exist); it had <paramref name="Previous"/>.</summary>
    public sealed record Changed(Account Account, long Previous) : CreditLimitDecision;

    /// <summary>The account uses more than the limit would allow; <paramref name="Minimum"/> is the lowest it may have now.</summary>
    public sealed record InUse(long Minimum) : CreditLimitDecision;
}

/// <summary>The answer to setting a credit limit.</summary>
internal abstract record CreditLimitResult
{
    private CreditLimitResult()
    {
    }

    /// <summary>The account as it is now, with the limit asked for.</summary>
    public sealed record Set(Account Account) : CreditLimitResult;

    /// <summary>Refused: nothing changed; <paramref name="Minimum"/> is the lowest limit the account may have now.</summary>
    public sealed record InUse(long Minimum) : CreditLimitResult;

    /// <summary>Every attempt's transaction went unconfirmed (503): nothing is known to have changed.</summary>
    public sealed record Contention : CreditLimitResult;
}
