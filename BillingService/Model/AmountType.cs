using System.Text.Json.Serialization;

namespace Gateway.BillingService.Model;

/// <summary>How the amount charged at finalize may differ from the amount reserved.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AmountType>))]
internal enum AmountType
{
    /// <summary>
    /// <c>estimate</c>: usage-based. Finalize charges the amount it is given: below the hold, the
    /// rest is released; above it, the excess is charged as overage as far as the account can pay
    /// (its balance stays at or above minus its credit limit, and other open holds are untouched),
    /// and whatever is left is recorded as unpaid.
    /// </summary>
    [JsonStringEnumMemberName("estimate")]
    Estimate = 0,

    /// <summary>
    /// <c>fixed</c>: the price is known up front. Finalize must be given exactly the reserved
    /// amount (or 0, which releases); any other amount is refused with 422 and nothing changes.
    /// </summary>
    [JsonStringEnumMemberName("fixed")]
    Fixed = 1,
}
