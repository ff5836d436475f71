using System.Text.Json.Serialization;

namespace Gateway.BillingService.Model;

/// <summary>
/// The state document <c>account|{id}</c>. Amounts are minor units (e.g. cents).
/// </summary>
/// <remarks>
/// Invariants the ledger keeps: <c>Balance == Credited - Charged</c>, <c>Held</c> is the sum of the
/// amounts of the account's reservations still <c>reserved</c>, <c>Unpaid</c> the sum of the unpaid
/// parts of finalized ones, and entries <c>1 .. NextEntrySeq - 1</c> exist and replay to exactly
/// these figures. <see cref="Available"/> never goes below zero, so <c>Balance</c> never goes below
/// <c>-CreditLimit</c>: a reserve takes at most what is available, a finalize charges at most its hold
/// plus what is available (the rest is unpaid), and a credit limit is never lowered below what the
/// account uses.
/// </remarks>
/// <param name="Id">The account id.</param>
/// <param name="Balance">Money on the account: credits minus charges.</param>
/// <param name="Held">Money set aside by open reservations.</param>
/// <param name="Credited">Sum of all credits ever.</param>
/// <param name="Charged">Sum of all charges ever.</param>
/// <param name="NextEntrySeq">The sequence number the next ledger entry gets; entries start at 1.</param>
/// <param name="CreatedAt">When the first credit created the account.</param>
/// <param name="UpdatedAt">When the account last changed.</param>
/// <param name="CreditLimit">How far below zero the operator lets the balance go (0: not at all).</param>
/// <param name="Unpaid">Sum of what finalized reservations asked beyond what the account could pay.</param>
internal sealed record Account(
    string Id,
    long Balance,
    long Held,
    long Credited,
    long Charged,
    long NextEntrySeq,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    long CreditLimit = 0,
    long Unpaid = 0)
{
    /// <summary>What a new reservation may still hold, and an overage may still take: balance plus credit limit minus holds.</summary>
    [JsonIgnore]
    public long Available => Balance + CreditLimit - Held;

    public static Account Open(string id, DateTimeOffset now) => new(id, 0, 0, 0, 0, 1, now, now);
}
