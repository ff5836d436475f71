using System.Globalization;
using System.Text.Json;
using Gateway.ProxyService.Tests.Support;
using Gateway.Testing;

namespace Gateway.ProxyService.Tests.Llm;

/// <summary>
/// A proxy whose provider <c>plainq</c> takes its credential in a query parameter with a harmless
/// name (<c>ident</c>), over a fake task provider of its own; the proxy's log runs at Trace for the
/// gateway, YARP and the HTTP client (see <see cref="ProxyStack"/>).
/// </summary>
public sealed class QueryCredentialStackFixture : IAsyncLifetime
{
    public const string CredentialParameter = "ident";

    private ServiceProcess? _upstream;
    private ProxyStack? _stack;

    internal ProxyStack Stack => _stack ?? throw new InvalidOperationException("Not initialised.");

    internal int UpstreamPort { get; } = FreePort.Next();

    public async Task InitializeAsync()
    {
        _upstream = await ServiceProcess.StartAsync(Launchables.FakeTaskProvider, "faketasks-plainq", UpstreamPort, null, new Dictionary<string, string?>());
        _stack = await ProxyStack.StartAsync(extraProxySettings: new Dictionary<string, string?>
        {
            ["Providers__plainq__BaseUrl"] = $"http://127.0.0.1:{UpstreamPort.ToString(CultureInfo.InvariantCulture)}/v1",
            ["Providers__plainq__Credential__Environment"] = "PROVIDER_KEY",
            ["Providers__plainq__Credential__QueryParameter"] = CredentialParameter,
            ["Providers__plainq__Billing__Mode"] = "Off",
        });
    }

    public async Task DisposeAsync()
    {
        if (_stack is not null)
        {
            await _stack.DisposeAsync();
        }

        if (_upstream is not null)
        {
            await _upstream.DisposeAsync();
        }
    }
}

/// <summary>
/// Secrets in query strings never reach ProxyService's log (issue #18): not the provider's
/// credential it injects, not a client's value for that parameter, not anything named like a
/// token or a key, on the task proxy and on <c>/v1</c>; the harmless parameters are still logged.
/// </summary>
public sealed class SecretLogScenarios(QueryCredentialStackFixture fixture) : IClassFixture<QueryCredentialStackFixture>
{
    private const string Query = "ident=client-ident-7c1d&token=client-token-3f9a&api_key=client-apikey-52be&safe=1";

    private static readonly string[] Secrets = [ProxyStack.ProviderKey, "client-ident-7c1d", "client-token-3f9a", "client-apikey-52be"];

    private ProxyStack Stack => fixture.Stack;

    [Fact]
    public async Task Forwarding_ToAProviderWithAQueryCredential_LogsNoSecretOfTheQuery()
    {
        var run = ProxyCalls.NewRun();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/proxy/plainq/models?" + Query);
        request.Headers.Add("X-Fake-Run", run);
        using var response = await Stack.Proxy.SendAsync(request);

        // The credential did go out, in the query: it is the log that must not have it.
        var upstream = await UpstreamRequestAsync(run);
        Assert.Contains($"{QueryCredentialStackFixture.CredentialParameter}={ProxyStack.ProviderKey}", upstream.GetProperty("query").GetString(), StringComparison.Ordinal);
        await RequestLoggedAsync("/api/proxy/plainq/models", (int)response.StatusCode);
        AssertNoSecretLogged();
        var upstreamOrigin = $"127.0.0.1:{fixture.UpstreamPort.ToString(CultureInfo.InvariantCulture)}/";
        Assert.Contains(Stack.ProxyLog.Split('\n'), line => line.Contains("Proxying to", StringComparison.Ordinal) && line.Contains(upstreamOrigin, StringComparison.Ordinal) && line.Contains("safe=1", StringComparison.Ordinal));
    }

    [Fact]
    public async Task V1Request_WithSecretsInItsQuery_LogsNone()
    {
        using var response = await Stack.Proxy.GetAsync(new Uri("/v1/models?" + Query, UriKind.Relative));

        await RequestLoggedAsync("/v1/models", (int)response.StatusCode);
        AssertNoSecretLogged();
    }

    /// <summary>Waits for the line that logs the request's end: it names the path, the harmless parameter and the status.</summary>
    private Task RequestLoggedAsync(string path, int status) =>
        ProxyCalls.EventuallyAsync(
            () => Task.FromResult(Stack.ProxyLog.Split('\n').Any(line =>
                line.Contains(path, StringComparison.Ordinal) && line.Contains("safe=1", StringComparison.Ordinal)
                && line.Contains($" {status.ToString(CultureInfo.InvariantCulture)} ", StringComparison.Ordinal))),
            TimeSpan.FromSeconds(10),
            $"a log line for {path} with safe=1 and {status}");

    private void AssertNoSecretLogged()
    {
        var log = Stack.ProxyLog;
        foreach (var secret in Secrets)
        {
            Assert.False(log.Contains(secret, StringComparison.Ordinal), $"'{secret}' is in the log:\n{log}");
        }
    }

    private async Task<JsonElement> UpstreamRequestAsync(string run)
    {
        using var upstream = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{fixture.UpstreamPort.ToString(CultureInfo.InvariantCulture)}") };
        JsonElement[] seen = [];
        await ProxyCalls.EventuallyAsync(
            async () => (seen = [.. JsonDocument.Parse(await upstream.GetStringAsync(new Uri("/_fake/requests?run=" + run, UriKind.Relative))).RootElement.EnumerateArray()]).Length > 0,
            TimeSpan.FromSeconds(10),
            $"the upstream's journal entry of {run}");
        return Assert.Single(seen).Clone();
    }
}
