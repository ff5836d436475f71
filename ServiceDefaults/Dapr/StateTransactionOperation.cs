namespace Gateway.ServiceDefaults.Dapr;

/// <summary>How a write treats an existing key when no ETag is given (Dapr's <c>options.concurrency</c>).</summary>
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

/// <summary>The kind of a <see cref="StateTransactionOperation"/>.</summary>
public enum StateOperationType
{
    Upsert = 0,
    Delete = 1,
}

/// <summary>
/// One operation of a state transaction (<see cref="DaprStateClient.TryExecuteStateTransactionAsync"/>).
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
        SidecarPaths.CheckStateKey(key, nameof(key));
        StateRequestBody.CheckTimeToLive(timeToLive, nameof(timeToLive));
        CheckETag(etag);
        return new(StateOperationType.Upsert, key, etag, concurrency, value, typeof(T), timeToLive);
    }

    /// <summary>Deletes <paramref name="key"/>; with <paramref name="etag"/>, only if the key still has it.</summary>
    public static StateTransactionOperation Delete(string key, string? etag = null)
    {
        SidecarPaths.CheckStateKey(key, nameof(key));
        CheckETag(etag);
        return new(StateOperationType.Delete, key, etag, StateConcurrency.LastWrite, null, null, null);
    }

    private static void CheckETag(string? etag)
    {
        if (etag is { Length: 0 })
        {
            throw new ArgumentException("An ETag must not be empty; pass null for none.", nameof(etag));
        }
    }
}
