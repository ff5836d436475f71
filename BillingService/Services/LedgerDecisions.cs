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

    /// <summary>Service only: no such reservation (404).</summary>
    NotFound,

    /// <summary>Service only: every attempt's transaction went unconfirmed and the reservation is still open (503).</summary>
    Contention,
}

/// <summary>
/// What <see cref="ReservationLedger.Decide"/> concluded. <see cref="Write"/> is null when nothing
/// changes; otherwise <see cref="Reservation"/> is the new version to write with it.
/// </summary>
internal sealed record ResolveDecision(ResolveOutcome Outcome, Reservation Reservation, LedgerWrite? Write = null);

internal enum ReserveOutcome
{
    Created,
    Replayed,
    IdempotencyConflict,
    UnknownAccount,
    InsufficientFunds,

    /// <summary>Service only: every attempt's transaction went unconfirmed and none of them landed (503).</summary>
    Contention,
}

/// <summary>
/// What <see cref="ReservationLedger.Reserve"/> concluded. For <see cref="ReserveOutcome.Created"/>:
/// the new reservation, the ledger write and the idempotency record (null without a key). For
/// <see cref="ReserveOutcome.Replayed"/>: <see cref="ReplayedReservationId"/>. For
/// <see cref="ReserveOutcome.InsufficientFunds"/>: <see cref="Available"/>.
/// </summary>
internal sealed record ReserveDecision(
    ReserveOutcome Outcome,
    Reservation? Reservation = null,
    LedgerWrite? Write = null,
    ReserveIdempotency? Idempotency = null,
    string? ReplayedReservationId = null,
    long Available = 0);

internal enum CreditOutcome
{
    Credited,
    Replayed,
    IdempotencyConflict,
    LimitExceeded,

    /// <summary>Service only: every attempt's transaction went unconfirmed and none of them landed (503).</summary>
    Contention,
}

/// <summary>What <see cref="ReservationLedger.Credit"/> concluded; <see cref="Result"/> is the answer for Credited and Replayed.</summary>
internal sealed record CreditDecision(CreditOutcome Outcome, CreditIdempotency? Result = null, LedgerWrite? Write = null);

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
