using Dapr;
using Gateway.ProxyService.Infrastructure;
using Gateway.ProxyService.Model;
using Gateway.ServiceDefaults.Dapr;
using Microsoft.Extensions.Options;

namespace Gateway.ProxyService.Services;

/// <summary>How a ledger update ended.</summary>
internal enum LedgerOutcome
{
    /// <summary>This update's write is the one that landed.</summary>
    Applied,

    /// <summary>The call was already past the event (another writer won, or an earlier attempt of this one landed unconfirmed).</summary>
    AlreadyApplied,

    /// <summary>The event does not fit the call's state: nothing written.</summary>
    Refused,

    /// <summary>No such call.</summary>
    NotFound,

    /// <summary>Concurrent writers kept winning for <see cref="ProxyOptions.MaxWriteAttempts"/> attempts: nothing written by this update.</summary>
    Contention,
}

/// <summary>The outcome of an update and the call as it stands afterwards (null only when not found).</summary>
internal sealed record LedgerResult(LedgerOutcome Outcome, CallRecord? Record);

/// <summary>How creating a call went: created, or another call already holds the idempotency key.</summary>
internal sealed record CreateResult(bool Created, IdempotencyClaim? ExistingClaim);

/// <summary>
/// The call ledger: call records changed only through <see cref="CallTransitions"/> and written
/// only over the ETag they were read with (first-write concurrency), together with their indexes
/// (task ids, idempotency keys, pending settlements) in the same transaction. A write that is not
/// confirmed is never assumed lost or applied: the record is read again and the event applied
/// again, which either finds it already applied or tries once more.
/// </summary>
internal sealed class CallLedger(CallStore store, TimeProvider time, IOptions<ProxyOptions> options, ILogger<CallLedger> logger)
{
    private int MaxAttempts => options.Value.MaxWriteAttempts;

    public async Task<CallRecord?> GetAsync(string callId, CancellationToken cancellationToken) =>
        (await store.GetCallAsync(callId, cancellationToken).ConfigureAwait(false))?.Value;

    /// <summary>The call that started task <paramref name="taskId"/> of <paramref name="provider"/>, if the proxy started it.</summary>
    public async Task<string?> FindTaskAsync(string provider, string taskId, CancellationToken cancellationToken) =>
        (await store.GetTaskAsync(provider, taskId, cancellationToken).ConfigureAwait(false))?.Value.CallId;

    public Task<IReadOnlyList<string>> ReadPendingAsync(CancellationToken cancellationToken) => store.ReadPendingAsync(cancellationToken);

    /// <summary>
    /// Records a new call and, when <paramref name="claimKey"/> is given, claims that idempotency key
    /// for it, atomically. When the key is already claimed, answers the existing claim instead.
    /// </summary>
    public async Task<CreateResult> CreateAsync(CallRecord record, string? claimKey, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(record);
        var claim = claimKey is null ? ((string, IdempotencyClaim)?)null : (claimKey, new IdempotencyClaim(record.CallId, record.RequestHash, record.CreatedAt));
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var write = await store.TryCreateAsync(record, claim, cancellationToken).ConfigureAwait(false);
            if (write.IsWritten)
            {
                return new CreateResult(true, null);
            }

            // Unconfirmed: either this write landed after all, another call holds the key, or nothing
            // happened (a busy store); the claim and the record tell which.
            if (claimKey is not null && await store.GetClaimAsync(claimKey, cancellationToken).ConfigureAwait(false) is { } existing)
            {
                return existing.Value.CallId == record.CallId ? new CreateResult(true, null) : new CreateResult(false, existing.Value);
            }

            if (claimKey is null && await store.GetCallAsync(record.CallId, cancellationToken).ConfigureAwait(false) is not null)
            {
                return new CreateResult(true, null);
            }

            await BackOffAsync(attempt, cancellationToken).ConfigureAwait(false);
        }

        ProxyLog.LedgerContention(logger, record.CallId, MaxAttempts);
        throw new DaprException($"The call ledger could not record call {record.CallId} after {MaxAttempts} attempts.");
    }

    /// <summary>
    /// Applies the event <paramref name="makeEvent"/> builds from the call as currently stored,
    /// and writes the result (with the index changes it implies) over the ETag read.
    /// </summary>
    public async Task<LedgerResult> ApplyAsync(string callId, Func<CallRecord, CallEvent> makeEvent, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(makeEvent);
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            if (await store.GetCallAsync(callId, cancellationToken).ConfigureAwait(false) is not { } entry)
            {
                return new LedgerResult(LedgerOutcome.NotFound, null);
            }

            var current = entry.Value;
            var @event = makeEvent(current);
            var transition = CallTransitions.Apply(current, @event, time.GetUtcNow());
            switch (transition.Kind)
            {
                case TransitionKind.AlreadyApplied:
                    return new LedgerResult(LedgerOutcome.AlreadyApplied, current);
                case TransitionKind.Refused:
                    ProxyLog.TransitionRefused(logger, callId, transition.Why!);
                    return new LedgerResult(LedgerOutcome.Refused, current);
            }

            var next = transition.Record;
            List<StateTransactionOperation> others = [];
            if (@event is TaskAccepted accepted)
            {
                // Last-write: a provider reusing a task id points it at the newest call.
                others.Add(StateTransactionOperation.Upsert(StateKeys.Task(next.Provider, accepted.TaskId), new TaskIndexEntry(callId, accepted.TaskId), concurrency: StateConcurrency.LastWrite));
            }

            var joins = next.Status == CallStatus.FinalizePending && current.Status != CallStatus.FinalizePending;
            var leaves = current.Status == CallStatus.FinalizePending && next.Status != CallStatus.FinalizePending;
            if (joins || leaves)
            {
                var shard = StateKeys.ShardOf(callId);
                var index = await store.GetPendingShardAsync(shard, cancellationToken).ConfigureAwait(false);
                var ids = index?.Value.CallIds ?? [];
                var changed = joins ? (ids.Contains(callId) ? ids : [.. ids, callId]) : [.. ids.Where(id => id != callId)];
                others.Add(StateTransactionOperation.Upsert(StateKeys.PendingShard(shard), new PendingSettlements(changed), index?.ETag));
            }

            var write = await store.TryUpdateAsync(next, entry.ETag!, others, cancellationToken).ConfigureAwait(false);
            if (write.IsWritten)
            {
                return new LedgerResult(LedgerOutcome.Applied, next);
            }

            await BackOffAsync(attempt, cancellationToken).ConfigureAwait(false);
        }

        ProxyLog.LedgerContention(logger, callId, MaxAttempts);
        return new LedgerResult(LedgerOutcome.Contention, await GetAsync(callId, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>Removes <paramref name="callId"/> from the pending index (a call that settled but whose index update was lost).</summary>
    public async Task RemovePendingAsync(string callId, CancellationToken cancellationToken)
    {
        var shard = StateKeys.ShardOf(callId);
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            if (await store.GetPendingShardAsync(shard, cancellationToken).ConfigureAwait(false) is not { } index || !index.Value.CallIds.Contains(callId))
            {
                return;
            }

            var write = await store.TrySavePendingShardAsync(shard, new PendingSettlements([.. index.Value.CallIds.Where(id => id != callId)]), index.ETag, cancellationToken).ConfigureAwait(false);
            if (write.IsWritten)
            {
                return;
            }

            await BackOffAsync(attempt, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Frees an idempotency key still held by <paramref name="callId"/>, so that the same key can try again.</summary>
    public async Task ReleaseClaimAsync(string claimKey, string callId, CancellationToken cancellationToken)
    {
        if (await store.GetClaimAsync(claimKey, cancellationToken).ConfigureAwait(false) is { } claim && claim.Value.CallId == callId && claim.ETag is { } etag)
        {
            // Not confirmed: the key stays bound to the rejected call and replays its answer, which is still true.
            await store.TryDeleteClaimAsync(claimKey, etag, cancellationToken).ConfigureAwait(false);
        }
    }

    private Task BackOffAsync(int attempt, CancellationToken cancellationToken)
    {
        // Short and jittered: the competing writers are other requests about the same call, racing now.
        var milliseconds = Random.Shared.Next(1, 5 + (Math.Min(attempt, 8) * 5));
        return Task.Delay(TimeSpan.FromMilliseconds(milliseconds), time, cancellationToken);
    }
}
