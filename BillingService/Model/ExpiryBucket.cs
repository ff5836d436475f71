namespace Gateway.BillingService.Model;

/// <summary>
/// The state document <c>expiry|{yyyyMMddHHmmss}|{shard:D3}</c>: the ids of the reservations that
/// expire within one <see cref="ExpiryBuckets.Width"/> bucket, for the accounts of one shard.
/// Appended to in the reserve transaction; the sweeper finds expired reservations through these
/// documents because the state API has no query.
/// </summary>
internal sealed record ExpiryBucket(IReadOnlyList<string> Ids);
