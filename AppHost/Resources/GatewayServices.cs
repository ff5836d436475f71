namespace Gateway.AppHost.Resources;

/// <summary>The suite the AppHost runs.</summary>
internal static class GatewayServices
{
    /// <summary>
    /// The demo task provider's key, known to both sides: a sample value for a local fake, not a secret.
    /// </summary>
    private const string DemoProviderKey = "demo-provider-key";

    /// <summary>
    /// The demo's one operator token, for every operator endpoint of the suite: the proxy's calls
    /// view (<c>Proxy:OperatorToken</c>) and billing's credits, credit limits and reads
    /// (<c>Billing:OperatorToken</c>). A sample value for a local run, not a secret.
    /// </summary>
    private const string DemoOperatorToken = "demo-operator-token";

    /// <summary>
    /// Every program, in start order. Demo upstreams (a fake OpenAI-compatible backend, a fake
    /// task provider) join this list with <c>Sidecar: null</c>; every service learns every other
    /// one's URL through <c>services__{name}__http__0</c>, the convention .NET service discovery reads.
    /// </summary>
    public static IReadOnlyList<ServiceDefinition> All { get; } =
    [
        new("proxy", "ProxyService", Port: 5080, new SidecarPorts(Http: 3500, Grpc: 50001, Metrics: 9090), Environment: DemoProxyConfiguration()),
        new("billing", "BillingService", Port: 5081, new SidecarPorts(Http: 3501, Grpc: 50002, Metrics: 9091), Environment: new Dictionary<string, string>
        {
            ["Billing__OperatorToken"] = DemoOperatorToken,
        }),
        new("pool", "PoolService", Port: 5082, new SidecarPorts(Http: 3502, Grpc: 50003, Metrics: 9092), Environment: DemoPoolConfiguration()),
        new("faketasks", "FakeTaskProvider", Port: 5090, Sidecar: null, Environment: new Dictionary<string, string>
        {
            ["FakeTaskProvider__ApiKey"] = DemoProviderKey,
        }),
        new("fakeopenai", "FakeOpenAiBackend", Port: 5091, Sidecar: null),
    ];

    /// <summary>
    /// PoolService's sample registry (<c>AppHost/samples/pools.json</c>: pools <c>primary</c> and
    /// <c>fallback</c> serving <c>gpt-4o-mini</c>, alias <c>mini</c>), its backends pointed at the
    /// fake OpenAI-compatible backend. The build copies it next to the AppHost, so its full path does
    /// not depend on any working directory. The sample's base URLs name the fake's fixed port, 5091;
    /// no key is configured (the fake accepts any).
    /// </summary>
    private static Dictionary<string, string> DemoPoolConfiguration() => new()
    {
        ["POOL_SETTINGS_FILE"] = Path.Combine(AppContext.BaseDirectory, "samples", "pools.json"),
    };

    /// <summary>
    /// The sample provider <c>demo</c>: the fake task provider (found through
    /// <c>services__faketasks__http__0</c>), billing required, 100 units held per task and the
    /// reported usage charged; and an operator token for <c>GET /api/calls/{id}</c>.
    /// </summary>
    private static Dictionary<string, string> DemoProxyConfiguration() => new()
    {
        ["DEMO_PROVIDER_KEY"] = DemoProviderKey,
        ["Proxy__OperatorToken"] = DemoOperatorToken,
        ["Providers__demo__BaseUrl"] = "http://faketasks/v1",
        ["Providers__demo__Credential__Environment"] = "DEMO_PROVIDER_KEY",
        ["Providers__demo__Billing__Mode"] = "Required",
        ["Providers__demo__Billing__DefaultAmount"] = "100",
        ["Providers__demo__Billing__AmountType"] = "estimate",
        ["Providers__demo__SubmitRoutes__0__Name"] = "generate",
        ["Providers__demo__SubmitRoutes__0__Method"] = "POST",
        ["Providers__demo__SubmitRoutes__0__Path"] = "/tasks",
        ["Providers__demo__SubmitRoutes__0__TaskIdPath"] = "$.taskId",
        ["Providers__demo__QueryRoutes__0__Name"] = "status",
        ["Providers__demo__QueryRoutes__0__Method"] = "GET",
        ["Providers__demo__QueryRoutes__0__Path"] = "/tasks/*",
        ["Providers__demo__QueryRoutes__0__TaskIdPathSegment"] = "1",
        ["Providers__demo__QueryRoutes__0__StatusPath"] = "$.status",
        ["Providers__demo__QueryRoutes__0__SuccessValues__0"] = "succeeded",
        ["Providers__demo__QueryRoutes__0__FailureValues__0"] = "failed",
        ["Providers__demo__QueryRoutes__0__UsagePaths__0"] = "$.usage.units",
    };
}
