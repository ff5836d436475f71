namespace Gateway.LocalSidecar.Hosting;

/// <summary>What daprd would be told by its flags and environment.</summary>
internal sealed record SidecarOptions
{
    /// <summary>The app id (<c>--app-id</c>); required.</summary>
    public required string AppId { get; init; }

    /// <summary>The app's port (<c>--app-port</c>); null when the sidecar has no app.</summary>
    public int? AppPort { get; init; }

    /// <summary>Where the app listens (<c>--app-channel-address</c>, default <c>127.0.0.1</c>).</summary>
    public string AppChannelAddress { get; init; } = "127.0.0.1";

    /// <summary>The HTTP API port (<c>--dapr-http-port</c>, default 3500).</summary>
    public int HttpPort { get; init; } = 3500;

    /// <summary>The gRPC API port (<c>--dapr-grpc-port</c>, default 50001), HTTP/2 without TLS.</summary>
    public int GrpcPort { get; init; } = 50001;

    /// <summary>
    /// Where the HTTP and gRPC APIs listen (<c>--dapr-listen-addresses</c>, comma-separated). daprd
    /// listens on every interface by default; this stand-in on <c>127.0.0.1</c> only, unless told
    /// otherwise (<c>localhost</c>, <c>0.0.0.0</c>, <c>::</c> or an IP address).
    /// </summary>
    public IReadOnlyList<string> ListenAddresses { get; init; } = ["127.0.0.1"];

    /// <summary>The component folder (<c>--resources-path</c>, default <c>./components</c>).</summary>
    public string ResourcesPath { get; init; } = "components";

    /// <summary><c>--log-level</c>: debug, info (default), warn, error, fatal.</summary>
    public string LogLevel { get; init; } = "info";

    /// <summary><c>DAPR_API_TOKEN</c>: callers of the API must present it.</summary>
    public string? ApiToken { get; init; }

    /// <summary><c>APP_API_TOKEN</c>: sent to the app on every call.</summary>
    public string? AppApiToken { get; init; }

    /// <summary>
    /// The folder where sidecars on this machine announce themselves for name resolution
    /// (<c>LOCALSIDECAR_REGISTRY</c>, default <c>{temp}/gateway-localsidecar</c>). Tests give each
    /// run its own folder so that parallel suites never see each other's apps.
    /// </summary>
    public string RegistryPath { get; init; } = Path.Combine(Path.GetTempPath(), "gateway-localsidecar");

    /// <summary><c>NAMESPACE</c>, used by the <c>namespace</c> key prefix strategy.</summary>
    public string? Namespace { get; init; }
}
