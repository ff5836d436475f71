using System.Text.Json.Serialization;

namespace Gateway.BillingService.Model;

/// <summary>
/// The state document <c>reservation|{id}</c>: money held on an account for one billed call until
/// it is finalized, released or expires. Terminal states never change.
/// </summary>
/// <param name="Id">The reservation id (<c>rsv_</c> and 32 hex digits).</param>
/// <param name="AccountId">The account the money is held on.</param>
/// <param name="Reference">The caller's reference for the billed call (e.g. the proxy's call id).</param>
/// <param name="Provider">The third-party provider the call goes to.</param>
/// <param name="Operation">What is called at the provider.</param>
/// <param name="Amount">The hold, in minor units.</param>
/// <param name="AmountType">How the final amount may differ from the hold.</param>
/// <param name="Status">Where the reservation is in its life.</param>
/// <param name="CreatedAt">When it was reserved.</param>
/// <param name="ExpiresAt">From this instant on it can only expire: finalize and release answer 409.</param>
/// <param name="FinalAmount">
/// What was charged: the finalized amount (less <paramref name="Unpaid"/>), 0 once released or expired.
/// </param>
/// <param name="Overage">For a finalized estimate, how much the charge exceeded the hold (0 when it did not).</param>
/// <param name="Reason">The caller's reason (or <c>expired</c>), from the transition that resolved it.</param>
/// <param name="ResolvedAt">When it left <see cref="ReservationStatus.Reserved"/>.</param>
/// <param name="ResolutionId">
/// A random id of the request that resolved it, so the writer of a transaction whose answer was
/// lost recognises its own write when it re-reads.
/// </param>
/// <param name="Unpaid">
/// For a finalized reservation, the part of the finalized amount the account could not pay within
/// its credit limit (0 when it paid all of it); null otherwise.
/// </param>
internal sealed record Reservation(
    string Id,
    string AccountId,
    string Reference,
    string Provider,
    string Operation,
    long Amount,
    AmountType AmountType,
    ReservationStatus Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset ExpiresAt,
    long? FinalAmount = null,
    long? Overage = null,
    string? Reason = null,
    DateTimeOffset? ResolvedAt = null,
    string? ResolutionId = null,
    long? Unpaid = null)
{
    /// <summary>The amount the resolving request asked for: charged plus unpaid; null while reserved.</summary>
    [JsonIgnore]
    public long? RequestedAmount => FinalAmount + (Unpaid ?? 0);
}
