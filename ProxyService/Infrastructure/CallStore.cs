using Gateway.ProxyService.Model;
using Gateway.ServiceDefaults.Dapr;
using Microsoft.Extensions.Options;

namespace Gateway.ProxyService.Infrastructure;

/// <summary>
/// The call ledger's documents in the proxy's Dapr state store: reads with ETags, and the
/// conditional writes and transactions the ledger makes of them. No decisions here: see
/// <see cref="Services.CallLedger"/>.
/// </summary>
internal sealed class CallStore(StateStoreClient state, IOptions<ProxyOptions> options)
{
    // Read at use, not construction: the retrier builds this before the options are validated at start.
    private string StoreName => options.Value.StoreName;

    public Task<StateEntry<CallRecord>?> GetCallAsync(string callId, CancellationToken cancellationToken) =>
        state.GetStateAsync<CallRecord>(StoreName, StateKeys.Call(callId), cancellationToken);

    public Task<StateEntry<IdempotencyClaim>?> GetClaimAsync(string claimKey, CancellationToken cancellationToken) =>
        state.GetStateAsync<IdempotencyClaim>(StoreName, claimKey, cancellationToken);

    public Task<StateEntry<TaskIndexEntry>?> GetTaskAsync(string provider, string taskId, CancellationToken cancellationToken) =>
        state.GetStateAsync<TaskIndexEntry>(StoreName, StateKeys.Task(provider, taskId), cancellationToken);

    public Task<StateEntry<PendingSettlements>?> GetPendingShardAsync(int shard, CancellationToken cancellationToken) =>
        state.GetStateAsync<PendingSettlements>(StoreName, StateKeys.PendingShard(shard), cancellationToken);

    /// <summary>Every call id in the pending-settlement index, all shards read at once.</summary>
    public async Task<IReadOnlyList<string>> ReadPendingAsync(CancellationToken cancellationToken)
    {
        var keys = Enumerable.Range(0, StateKeys.PendingShards).Select(StateKeys.PendingShard).ToList();
        var items = await state.GetBulkStateAsync<PendingSettlements>(StoreName, keys, cancellationToken: cancellationToken).ConfigureAwait(false);
        return [.. items.Where(i => i.Found && i.Value is not null).SelectMany(i => i.Value!.CallIds).Distinct(StringComparer.Ordinal)];
    }

    /// <summary>Creates the call, and with <paramref name="claim"/> its idempotency claim in the same transaction; both only if new.</summary>
    public Task<StateWriteResult> TryCreateAsync(CallRecord record, (string Key, IdempotencyClaim Claim)? claim, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (claim is not { } c)
        {
            return state.TrySaveStateAsync(StoreName, StateKeys.Call(record.CallId), record, etag: null, cancellationToken: cancellationToken);
        }

        return state.TryExecuteStateTransactionAsync(
            StoreName,
            [
                StateTransactionOperation.Upsert(StateKeys.Call(record.CallId), record),
                StateTransactionOperation.Upsert(c.Key, c.Claim, timeToLive: options.Value.IdempotencyKeyLifetime),
            ],
            cancellationToken);
    }

    /// <summary>Writes <paramref name="record"/> over <paramref name="etag"/>, with <paramref name="others"/> in the same transaction when there are any.</summary>
    public Task<StateWriteResult> TryUpdateAsync(CallRecord record, string etag, IReadOnlyList<StateTransactionOperation> others, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        ArgumentNullException.ThrowIfNull(others);
        if (others.Count == 0)
        {
            return state.TrySaveStateAsync(StoreName, StateKeys.Call(record.CallId), record, etag, cancellationToken: cancellationToken);
        }

        return state.TryExecuteStateTransactionAsync(StoreName, [StateTransactionOperation.Upsert(StateKeys.Call(record.CallId), record, etag), .. others], cancellationToken);
    }

    public Task<StateWriteResult> TrySavePendingShardAsync(int shard, PendingSettlements value, string? etag, CancellationToken cancellationToken) =>
        state.TrySaveStateAsync(StoreName, StateKeys.PendingShard(shard), value, etag, cancellationToken: cancellationToken);

    public Task<StateWriteResult> TryDeleteClaimAsync(string claimKey, string etag, CancellationToken cancellationToken) =>
        state.TryDeleteStateAsync(StoreName, claimKey, etag, cancellationToken);
}
