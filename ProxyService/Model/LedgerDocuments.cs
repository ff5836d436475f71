namespace Gateway.ProxyService.Model;

/// <summary>
/// An idempotency key bound to the call it started, at <see cref="StateKeys.Claim"/>. Created with
/// first-write concurrency in the same transaction as the call record, so exactly one submit per
/// key gets to call the provider.
/// </summary>
internal sealed record IdempotencyClaim(string CallId, string RequestHash, DateTimeOffset CreatedAt);

/// <summary>A provider's task id → the call that started it, at <see cref="StateKeys.Task"/>.</summary>
internal sealed record TaskIndexEntry(string CallId, string TaskId);

/// <summary>
/// One shard of the index of calls in <see cref="CallStatus.FinalizePending"/>, at
/// <see cref="StateKeys.PendingShard"/>. A call joins it in the same transaction that makes it
/// pending and leaves it when its settlement lands, so a restart (or another replica) finds every
/// settlement still owed by reading the shards.
/// </summary>
internal sealed record PendingSettlements(IReadOnlyList<string> CallIds)
{
    public static PendingSettlements Empty { get; } = new([]);
}
