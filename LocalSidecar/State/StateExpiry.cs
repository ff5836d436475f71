namespace Gateway.LocalSidecar.State;

internal static class StateExpiry
{
    /// <summary>
    /// When a write made at <paramref name="now"/> expires: the requested TTL, else the component's
    /// default. Zero or negative means never, as Dapr's <c>ttlInSeconds</c> of <c>0</c> or <c>-1</c>.
    /// </summary>
    public static DateTimeOffset? ExpiresAt(TimeSpan? requested, TimeSpan? componentDefault, DateTimeOffset now) =>
        (requested ?? componentDefault) is { } ttl && ttl > TimeSpan.Zero ? now + ttl : null;
}
