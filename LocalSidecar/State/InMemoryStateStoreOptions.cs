namespace Gateway.LocalSidecar.State;

/// <summary>
/// Settings of the <c>state.in-memory</c> component. Dapr's in-memory component reads no metadata,
/// so both settings only exist for this sidecar; their defaults reproduce Dapr.
/// </summary>
internal sealed record InMemoryStateStoreOptions
{
    /// <summary>
    /// TTL of a write that does not state one. Default: <see langword="null"/> (no expiry), since
    /// Dapr's in-memory component has no component-level TTL. Zero or negative also means none.
    /// </summary>
    public TimeSpan? DefaultTtl { get; init; }

    /// <summary>
    /// How often expired items are removed from memory. Default: 1 second (fixed in Dapr).
    /// Zero or negative disables it; expired items stay invisible either way.
    /// </summary>
    public TimeSpan CleanupInterval { get; init; } = TimeSpan.FromSeconds(1);
}
