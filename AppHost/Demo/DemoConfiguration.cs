namespace Gateway.AppHost.Demo;

/// <summary>
/// The demo's sample configuration of the services: a task provider <c>demo</c> in front of the
/// fake task provider, PoolService's sample registry in front of the fake OpenAI backend, and the
/// operators' demo token. Sample values for local fakes, not secrets.
/// </summary>
internal static class DemoConfiguration
{
    /// <summary>The operator token of the demo (<c>GET /api/calls/{id}</c>, billing's credits and account views).</summary>
    public const string OperatorToken = "demo-operator-token";

    /// <summary>The demo task provider's key, known to both sides.</summary>
    public const string ProviderKey = "demo-provider-key";

    /// <summary>
    /// The sample provider <c>demo</c>: the fake task provider (found through
    /// <c>services__faketasks__http__0</c>), billing required, 100 units held per task and the
    /// reported usage charged.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Proxy { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["DEMO_PROVIDER_KEY"] = ProviderKey,
        ["Proxy__OperatorToken"] = OperatorToken,
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

    /// <summary>BillingService: the operator token for credits and the account views.</summary>
    public static IReadOnlyDictionary<string, string> Billing { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["Billing__OperatorToken"] = OperatorToken,
    };

    /// <summary>The fake task provider: the key the proxy injects.</summary>
    public static IReadOnlyDictionary<string, string> FakeTasks { get; } = new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["FakeTaskProvider__ApiKey"] = ProviderKey,
    };

    /// <summary>
    /// PoolService's sample registry (<c>AppHost/samples/pools.json</c>: pools <c>primary</c> and
    /// <c>fallback</c> serving <c>gpt-4o-mini</c>, alias <c>mini</c>), its two backends pointed at
    /// the fake OpenAI backend wherever it listens.
    /// </summary>
    public static IReadOnlyDictionary<string, string> Pool(string fakeOpenAiOrigin) => new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["POOL_SETTINGS_FILE"] = Path.Combine(AppContext.BaseDirectory, "samples", "pools.json"),
        ["Pool__Backends__0__BaseUrl"] = fakeOpenAiOrigin + "/v1",
        ["Pool__Backends__1__BaseUrl"] = fakeOpenAiOrigin + "/v1",
    };
}
