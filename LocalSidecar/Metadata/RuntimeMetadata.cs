using System.Collections.Concurrent;
using Gateway.LocalSidecar.Actors;
using Gateway.LocalSidecar.Hosting;
using Gateway.LocalSidecar.State;

namespace Gateway.LocalSidecar.Metadata;

/// <summary>Builds the metadata snapshot from the sidecar's live state, and keeps the attributes set through <c>SetMetadata</c>.</summary>
internal sealed class RuntimeMetadata(SidecarOptions options, StateStoreCatalog stores, HostedActors actors)
{
    /// <summary>The Dapr runtime version whose APIs this stand-in follows.</summary>
    public const string EmulatedRuntimeVersion = "1.16.0";

    private readonly ConcurrentDictionary<string, string> _attributes = new(StringComparer.Ordinal);

    /// <summary>Sets an extended attribute, as daprd's <c>SetMetadata</c> does; it shows in every later snapshot.</summary>
    public void SetAttribute(string key, string value) => _attributes[key] = value;

    public SidecarMetadata Snapshot()
    {
        var extended = new SortedDictionary<string, string>(_attributes, StringComparer.Ordinal)
        {
            ["daprRuntimeVersion"] = EmulatedRuntimeVersion,
            ["localSidecar"] = "true",
        };
        return new SidecarMetadata(
            options.AppId,
            EmulatedRuntimeVersion,
            [.. stores.All.Select(s => new ComponentMetadata(s.Name, s.Type, s.Version, s.Capabilities))],
            extended,
            options.AppPort is { } port ? new AppConnectionMetadata(port, "http", options.AppChannelAddress) : null,
            new ActorRuntimeMetadata(
                stores.ActorStateStore is null ? "DISABLED" : actors.IsConfigured ? "RUNNING" : "INITIALIZING",
                actors.IsConfigured && actors.Config.Entities.Count > 0,
                "localsidecar registry",
                [.. actors.ActiveCounts().Select(a => new ActiveActorsMetadata(a.Key, a.Value))]));
    }
}
