namespace Gateway.AppHost.Resources;

/// <summary>One program of the suite, as data: the AppHost derives its processes, ports and environment from it.</summary>
/// <param name="Name">Resource name, Dapr app id, log prefix and <c>--port</c> key; its sidecar is <c>{Name}-dapr</c>.</param>
/// <param name="Project">Launchable project name (the <c>launchable:{Project}</c> assembly metadata).</param>
/// <param name="Port">Fixed HTTP port of the program (<c>--ports fixed</c>).</param>
/// <param name="Sidecar">Fixed sidecar ports, or null for a program without a sidecar (e.g. a demo upstream).</param>
/// <param name="ReadinessPath">Path that answers 2xx once the program is ready to serve.</param>
/// <param name="LivenessPath">Path that answers 2xx while the process is up.</param>
/// <param name="Environment">Extra variables of the program (e.g. the demo's sample configuration), or null for none.</param>
internal sealed record ServiceDefinition(
    string Name,
    string Project,
    int Port,
    SidecarPorts? Sidecar,
    string ReadinessPath = "/healthz",
    string LivenessPath = "/alive",
    IReadOnlyDictionary<string, string>? Environment = null);

/// <summary>Fixed ports of a sidecar: its HTTP and gRPC APIs (both sidecars), metrics (daprd only).</summary>
internal sealed record SidecarPorts(int Http, int Grpc, int Metrics);
