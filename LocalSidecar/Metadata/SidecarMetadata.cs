namespace Gateway.LocalSidecar.Metadata;

/// <summary>
/// What the metadata API shows (DAPR-HTTP.md section 6), one snapshot for both transports:
/// <c>GET /v1.0/metadata</c> renders it as JSON, gRPC <c>GetMetadata</c> as a <c>GetMetadataResponse</c>.
/// </summary>
internal sealed record SidecarMetadata(
    string Id,
    string RuntimeVersion,
    IReadOnlyList<ComponentMetadata> Components,
    IReadOnlyDictionary<string, string> Extended,
    AppConnectionMetadata? AppConnection,
    ActorRuntimeMetadata ActorRuntime);

internal sealed record ComponentMetadata(string Name, string Type, string Version, IReadOnlyList<string> Capabilities);

internal sealed record AppConnectionMetadata(int Port, string Protocol, string ChannelAddress);

/// <summary>The actor runtime; <c>Status</c> is daprd's <c>RUNNING</c>, <c>INITIALIZING</c> or <c>DISABLED</c>.</summary>
internal sealed record ActorRuntimeMetadata(string Status, bool HostReady, string Placement, IReadOnlyList<ActiveActorsMetadata> ActiveActors);

internal sealed record ActiveActorsMetadata(string Type, int Count);
