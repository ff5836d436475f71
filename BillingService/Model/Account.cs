using System.Text.Json.Serialization;

namespace Gateway.BillingService.Model;

/// <summary>
/// The state document <c>account|{id}</c>. Amounts are minor units (e.g. cents).
/// </summary>
/// <remarks>
/// Invariants the ledger keeps: <c>Balance == Credited - Charged</c>, <c>Held</c> is the sum of the
/// amounts of the account's reservations still <c>reserved</c>, and entries <c>1 .. NextEntrySeq - 1</c>
/// exist and replay to exactly these figures. <c>Balance</c> may go below zero only through the
/// overage of an <see cref="AmountType.Estimate"/> reservation finalized above its hold.
/// </remarks>
/// <param name="Id">The account id.</param>
/// <param name="Balance">Money on the account: credits minus charges.</param>
/// <param name="Held">Money set aside by open reservations.</param>
/// <param name="Credited">Sum of all credits ever.</param>
/// <param name="Charged">Sum of all charges ever.</param>
/// <param name="NextEntrySeq">The sequence number the next ledger entry gets; entries start at 1.</param>
/// <param name="CreatedAt">When the first credit created the account.</param>
/// <param name="UpdatedAt">When the account last changed.</param>
internal sealed record Account(
    string Id,
    long Balance,
    long Held,
    long Credited,
    long Charged,
    long NextEntrySeq,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt)
{
    /// <summary>What a new reservation may still hold: balance minus holds.</summary>
    [JsonIgnore]
    public long Available => Balance - Held;

    public static Account Open(string id, DateTimeOffset now) => new(id, 0, 0, 0, 0, 1, now, now);
}
