using System.Text.Json.Serialization;

namespace Gateway.BillingService.Model;

/// <summary>
/// The state document <c>entry|{account}|{seq:D12}</c>: one change of an account, written once
/// (first-write) in the same transaction as the account it changes, never rewritten.
/// </summary>
/// <param name="AccountId">The account changed.</param>
/// <param name="Seq">Position in the account's history, from 1, without gaps.</param>
/// <param name="Kind">Which figure changed and in which direction.</param>
/// <param name="Amount">By how much (always positive).</param>
/// <param name="BalanceAfter">The account's balance after this entry.</param>
/// <param name="HeldAfter">The account's held amount after this entry.</param>
/// <param name="At">When it was written.</param>
/// <param name="ReservationId">The reservation behind a hold, release or charge.</param>
/// <param name="Overage">On a charge: how much of it exceeded the hold.</param>
/// <param name="Reason">On a release or charge: the resolving request's reason (<c>expired</c> for an expiry).</param>
internal sealed record LedgerEntry(
    string AccountId,
    long Seq,
    EntryKind Kind,
    long Amount,
    long BalanceAfter,
    long HeldAfter,
    DateTimeOffset At,
    string? ReservationId = null,
    long? Overage = null,
    string? Reason = null);

/// <summary>
/// Each kind moves exactly one figure: balance = Σ credit − Σ charge, held = Σ hold − Σ release,
/// unpaid = Σ unpaid.
/// </summary>
[JsonConverter(typeof(JsonStringEnumConverter<EntryKind>))]
internal enum EntryKind
{
    /// <summary>Balance up.</summary>
    [JsonStringEnumMemberName("credit")]
    Credit = 0,

    /// <summary>Held up (a reservation).</summary>
    [JsonStringEnumMemberName("hold")]
    Hold = 1,

    /// <summary>Held down (a reservation resolved, whatever the outcome).</summary>
    [JsonStringEnumMemberName("release")]
    Release = 2,

    /// <summary>Balance down (a reservation finalized with a positive amount).</summary>
    [JsonStringEnumMemberName("charge")]
    Charge = 3,

    /// <summary>
    /// Unpaid up: the part of a finalized amount beyond what the account could pay within its
    /// credit limit, recorded instead of charged (balance and held unchanged). Follows the charge.
    /// </summary>
    [JsonStringEnumMemberName("unpaid")]
    Unpaid = 4,
}
