namespace Gateway.LocalSidecar.State;

/// <summary>
/// A state store component as daprd's runtime sees it: keys arrive already prefixed, values are
/// UTF-8 JSON, ETags are opaque strings. Expected outcomes (an ETag mismatch) are values;
/// a store failure throws.
/// </summary>
internal interface IStateStore : IAsyncDisposable
{
    /// <summary>Creates tables and opens connections; called once before first use.</summary>
    Task InitAsync(CancellationToken cancellationToken);

    /// <summary>The item, or <see langword="null"/> when the key is missing or expired.</summary>
    Task<StateItem?> GetAsync(string key, CancellationToken cancellationToken);

    Task<StoreResult> SetAsync(SetOperation operation, CancellationToken cancellationToken);

    Task<StoreResult> DeleteAsync(DeleteOperation operation, CancellationToken cancellationToken);

    /// <summary>Checks every ETag first, then applies all operations or none.</summary>
    Task<StoreResult> TransactAsync(IReadOnlyList<StateOperation> operations, CancellationToken cancellationToken);
}

internal sealed record StateItem(byte[] Value, string ETag, DateTimeOffset? ExpiresAt);

internal enum Concurrency
{
    LastWrite,
    FirstWrite,
}

internal abstract record StateOperation(string Key, string? ETag, Concurrency Concurrency);

/// <summary>
/// An upsert. <c>Value</c> is UTF-8 JSON, or any bytes when <c>IsBinary</c> (a gRPC client's value,
/// which Dapr's SQL stores keep as base64); a null <c>Ttl</c> means the component's default TTL, if any.
/// </summary>
internal sealed record SetOperation(string Key, byte[] Value, string? ETag, Concurrency Concurrency, TimeSpan? Ttl, bool IsBinary = false)
    : StateOperation(Key, ETag, Concurrency);

internal sealed record DeleteOperation(string Key, string? ETag, Concurrency Concurrency)
    : StateOperation(Key, ETag, Concurrency);

internal enum StoreResult
{
    Ok,

    /// <summary>The ETag did not match, was given for a missing key, or first-write found the key present.</summary>
    ETagMismatch,

    /// <summary>The ETag is not of the store's format (daprd answers 400 rather than 409).</summary>
    ETagInvalid,
}
