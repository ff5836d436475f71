using System.Text.Json;
using Dapr.Client;

namespace Gateway.ServiceDefaults.Dapr;

/// <summary>How a write treats an existing key when no ETag is given (Dapr's <c>options.concurrency</c>).</summary>
/// <remarks>
/// The SDK's <see cref="ConcurrencyMode"/> says the same, but its <see cref="StateTransactionRequest"/>
/// defaults to no options at all, which the store reads as last-write: an upsert without an ETag
/// then overwrites whatever is there. Here the default is first-write.
/// </remarks>
public enum StateConcurrency
{
    /// <summary>
    /// <c>first-write</c>: without an ETag the write succeeds only if the key does not exist; with
    /// one, only if it still matches.
    /// </summary>
    FirstWrite = 0,

    /// <summary><c>last-write</c>: without an ETag the write always wins; with one, it must still match.</summary>
    LastWrite = 1,
}

/// <summary>
/// One operation of a state transaction (<see cref="StateStoreClient.TryExecuteStateTransactionAsync"/>):
/// a typed value serialised with the app's JSON options, first-write by default, a time to live.
/// The sidecar checks every ETag first and then applies all operations or none (on a
/// transactional store such as state.sqlite or state.postgresql).
/// </summary>
public sealed class StateTransactionOperation
{
    private StateTransactionOperation(StateOperationType operationType, string key, string? etag, StateConcurrency concurrency, object? value, Type? valueType, TimeSpan? timeToLive)
    {
        OperationType = operationType;
        Key = key;
        ETag = etag;
        Concurrency = concurrency;
        Value = value;
        ValueType = valueType;
        TimeToLive = timeToLive;
    }

    public StateOperationType OperationType { get; }

    public string Key { get; }

    /// <summary>The ETag the key must still have, or null.</summary>
    public string? ETag { get; }

    public StateConcurrency Concurrency { get; }

    /// <summary>The expiry of an upserted value, or null for none.</summary>
    public TimeSpan? TimeToLive { get; }

    internal object? Value { get; }

    internal Type? ValueType { get; }

    /// <summary>
    /// Writes <paramref name="value"/> at <paramref name="key"/>. With <paramref name="etag"/>, only
    /// if the key still has it. Without one, the default <see cref="StateConcurrency.FirstWrite"/>
    /// writes only if the key does not exist yet; pass <see cref="StateConcurrency.LastWrite"/> to
    /// overwrite whatever is there. <paramref name="timeToLive"/> is sent as
    /// <c>metadata.ttlInSeconds</c>, rounded up to whole seconds; null (default) for no expiry.
    /// </summary>
    public static StateTransactionOperation Upsert<T>(string key, T value, string? etag = null, StateConcurrency concurrency = StateConcurrency.FirstWrite, TimeSpan? timeToLive = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        _ = StateMetadata.TimeToLive(timeToLive, nameof(timeToLive));
        CheckETag(etag);
        return new(StateOperationType.Upsert, key, etag, concurrency, value, typeof(T), timeToLive);
    }

    /// <summary>Deletes <paramref name="key"/>; with <paramref name="etag"/>, only if the key still has it.</summary>
    public static StateTransactionOperation Delete(string key, string? etag = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        CheckETag(etag);
        return new(StateOperationType.Delete, key, etag, StateConcurrency.LastWrite, null, null, null);
    }

    /// <summary>The SDK's request for this operation, the value serialised with <paramref name="json"/>.</summary>
    internal StateTransactionRequest ToRequest(JsonSerializerOptions json) => new(
        Key,
        OperationType == StateOperationType.Upsert ? JsonSerializer.SerializeToUtf8Bytes(Value, ValueType!, json) : null,
        OperationType,
        ETag,
        StateMetadata.TimeToLive(TimeToLive, nameof(TimeToLive)),
        Concurrency == StateConcurrency.FirstWrite ? StateMetadata.FirstWrite : StateMetadata.LastWrite);

    private static void CheckETag(string? etag)
    {
        if (etag is { Length: 0 })
        {
            throw new ArgumentException("An ETag must not be empty; pass null for none.", nameof(etag));
        }
    }
}
