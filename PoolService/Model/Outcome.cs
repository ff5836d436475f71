namespace Gateway.PoolService.Model;

/// <summary>One reported upstream call, as the policy sees it.</summary>
/// <param name="Kind">How it ended.</param>
/// <param name="Latency">How long it took, when known.</param>
/// <param name="RetryAfter">The upstream's Retry-After on a 429, when it sent one.</param>
/// <param name="GrantedAt">When its lease was granted, when known: tells a straggler from before a cooldown from a fresh 429.</param>
internal sealed record Outcome(OutcomeKind Kind, TimeSpan? Latency = null, TimeSpan? RetryAfter = null, DateTimeOffset? GrantedAt = null);
