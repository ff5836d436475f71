using Gateway.LocalSidecar.Hosting;

namespace Gateway.LocalSidecar.State;

/// <summary>A loaded state store component and the settings daprd's runtime keeps for it.</summary>
internal sealed record StateStoreComponent(
    string Name,
    string Type,
    string Version,
    IStateStore Store,
    StateKeyPrefix KeyPrefix,
    bool IsActorStateStore)
{
    /// <summary>What the metadata API reports; ACTOR is added for the actor state store, as daprd does.</summary>
    public IReadOnlyList<string> Capabilities { get; } =
        IsActorStateStore ? ["ETAG", "TRANSACTIONAL", "TTL", "ACTOR"] : ["ETAG", "TRANSACTIONAL", "TTL"];

    /// <summary>The key as stored for <paramref name="sidecar"/>'s app, or null when daprd would refuse it.</summary>
    public string? StoredKey(string key, SidecarOptions sidecar) => KeyPrefix.Apply(key, Name, sidecar.AppId, sidecar.Namespace);
}
