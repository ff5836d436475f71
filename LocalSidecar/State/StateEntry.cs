namespace Gateway.LocalSidecar.State;

/// <summary>
/// One key of a state request as either transport hands it over: an item of a save, a delete, or
/// the request of a transaction step. <c>Concurrency</c> and <c>Consistency</c> are daprd's strings
/// (<c>first-write</c>, <c>last-write</c>, <c>strong</c>, <c>eventual</c> or empty), checked by
/// <see cref="StateRuntime"/> as the components do.
/// </summary>
internal sealed record StateEntry(
    string Key,
    byte[] Value,
    string? ETag,
    IReadOnlyDictionary<string, string> Metadata,
    string Concurrency = "",
    string Consistency = "",
    bool IsBinary = false)
{
    public static readonly IReadOnlyDictionary<string, string> NoMetadata = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>A key to read or delete: no value.</summary>
    public static StateEntry ForKey(string key, string? etag = null, string concurrency = "", string consistency = "") =>
        new(key, [], etag, NoMetadata, concurrency, consistency);
}

/// <summary>One step of a transaction: <c>upsert</c> or <c>delete</c> (anything else is refused).</summary>
internal sealed record TransactionStep(string Operation, StateEntry Request);

/// <summary>One answer of a bulk get, in request order: the item, nothing (missing) or the store's error.</summary>
internal sealed record BulkStateEntry(string Key, StateItem? Item, string? Error);
