using System.Text.Json;
using Gateway.ServiceDefaults.Dapr;
using Microsoft.Extensions.Options;

namespace Gateway.BillingService.Infrastructure;

/// <summary>BillingService's documents in its Dapr state store, read and written through the sidecar.</summary>
internal sealed class LedgerStore(StateStoreClient state, IOptions<BillingOptions> options, IOptions<DaprClientOptions> daprOptions)
{
    private readonly string _store = options.Value.StoreName;
    private readonly JsonSerializerOptions _json = daprOptions.Value.JsonSerializerOptions;

    public Task<StateEntry<T>?> GetAsync<T>(string key, CancellationToken cancellationToken) =>
        state.GetStateAsync<T>(_store, key, cancellationToken);

    /// <summary>
    /// Reads several documents in one call. Not atomic; it does not need to be: every write made
    /// from what was read carries the ETags read, so anything that changed in between fails it.
    /// </summary>
    /// <exception cref="global::Dapr.DaprException">The sidecar failed, or failed to read one of the keys.</exception>
    public async Task<StateSnapshot> ReadAsync(IReadOnlyCollection<string> keys, CancellationToken cancellationToken)
    {
        var items = await state.GetBulkStateAsync<JsonElement>(_store, keys, null, cancellationToken).ConfigureAwait(false);
        Dictionary<string, BulkStateItem<JsonElement>> found = new(StringComparer.Ordinal);
        foreach (var item in items)
        {
            if (item.Found)
            {
                found[item.Key] = item;
            }
        }

        return new StateSnapshot(found, _json);
    }

    /// <summary>
    /// Applies <paramref name="operations"/> in one state transaction, ordered by key: every
    /// transaction then takes its row locks in the same order (PostgreSQL), so two of them never
    /// wait on each other in a cycle.
    /// </summary>
    public Task<StateWriteResult> TryCommitAsync(IEnumerable<StateTransactionOperation> operations, CancellationToken cancellationToken) =>
        state.TryExecuteStateTransactionAsync(_store, [.. operations.OrderBy(o => o.Key, StringComparer.Ordinal)], cancellationToken);

    /// <summary>An upsert conditional on <paramref name="etag"/>, or on the key being new when it is null.</summary>
    public static StateTransactionOperation Put<T>(string key, T value, string? etag) =>
        StateTransactionOperation.Upsert(key, value, etag, StateConcurrency.FirstWrite);
}

/// <summary>Documents read together, each with its ETag.</summary>
internal sealed class StateSnapshot(IReadOnlyDictionary<string, BulkStateItem<JsonElement>> found, JsonSerializerOptions json)
{
    /// <summary>The document at <paramref name="key"/>, or null when it does not exist (or was not asked for).</summary>
    public StateEntry<T>? Get<T>(string key) =>
        found.TryGetValue(key, out var item)
            ? new StateEntry<T>(key, item.Value.Deserialize<T>(json) ?? throw new JsonException($"State '{key}' is null."), item.ETag)
            : null;
}
