namespace Gateway.AppHost.Resources;

/// <summary>The suite the AppHost runs.</summary>
internal static class GatewayServices
{
    /// <summary>
    /// Every program, in start order. Demo upstreams (a fake OpenAI-compatible backend, a fake
    /// task provider) join this list with <c>Sidecar: null</c>; every service learns every other
    /// one's URL through <c>services__{name}__http__0</c>, the convention .NET service discovery reads.
    /// </summary>
    public static IReadOnlyList<ServiceDefinition> All { get; } =
    [
        new("proxy", "ProxyService", Port: 5080, new SidecarPorts(Http: 3500, Grpc: 50001, Metrics: 9090)),
        new("billing", "BillingService", Port: 5081, new SidecarPorts(Http: 3501, Grpc: 50002, Metrics: 9091)),
        new("pool", "PoolService", Port: 5082, new SidecarPorts(Http: 3502, Grpc: 50003, Metrics: 9092)),
    ];
}
