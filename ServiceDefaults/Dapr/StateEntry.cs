namespace Gateway.ServiceDefaults.Dapr;

/// <summary>
/// A value read from a state store, with the ETag a conditional write needs to replace exactly
/// this version (<see cref="StateStoreClient.TrySaveStateAsync{T}"/>).
/// </summary>
/// <param name="Key">The key as the caller named it (without the sidecar's app-id prefix).</param>
/// <param name="Value">The stored JSON read as <typeparamref name="T"/>.</param>
/// <param name="ETag">The version's opaque ETag; null only from a store that does not support ETags.</param>
public sealed record StateEntry<T>(string Key, T Value, string? ETag);

/// <summary>One key's answer in a bulk read, in the order the keys were asked for.</summary>
/// <param name="Key">The key as asked for.</param>
/// <param name="Found">True when the key exists; a missing key has no value and no ETag.</param>
/// <param name="Value">The stored JSON read as <typeparamref name="T"/>, default when not found.</param>
/// <param name="ETag">The version's opaque ETag, null when not found.</param>
public sealed record BulkStateItem<T>(string Key, bool Found, T? Value, string? ETag);
