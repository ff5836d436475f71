using System.Net;
using System.Net.Http.Json;
using Aspire.Hosting.Testing;
using Gateway.EndToEnd.Tests.Support;

namespace Gateway.EndToEnd.Tests;

/// <summary>
/// The local run is closed: every sidecar wants its app's <c>DAPR_API_TOKEN</c>, every service's
/// internal endpoints want its sidecar's <c>APP_API_TOKEN</c>, and money moves only with the
/// operator token. Tried as the hardening report did, on the suite the README's command starts.
/// </summary>
[Collection(RunningSuite.Name)]
public sealed class ClosedByDefaultTests(Suite suite)
{
    public static TheoryData<string, string, string> SidecarCalls => new()
    {
        { "billing-dapr", "POST", "/v1.0/state/statestore" },
        { "billing-dapr", "GET", "/v1.0/state/statestore/billing||account||demo" },
        { "billing-dapr", "POST", "/v1.0/invoke/billing/method/accounts/demo/credits" },
        { "proxy-dapr", "GET", "/v1.0/metadata" },
        { "pool-dapr", "POST", "/v1.0/actors/Backend/demo-primary/method/Lease" },
    };

    [Theory]
    [MemberData(nameof(SidecarCalls))]
    public async Task Sidecar_WithoutTheApiToken_Refuses(string sidecar, string method, string path)
    {
        using var client = suite.Client(sidecar);
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "GET" ? null : JsonContent.Create(new[] { new { key = "x", value = 1 } }) };

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    [Fact]
    public async Task Sidecar_WithItsAppsToken_Answers()
    {
        using var client = suite.Client("proxy-dapr");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1.0/invoke/billing/method/healthz");
        request.Headers.Add("dapr-api-token", suite.EnvironmentOf("proxy", "DAPR_API_TOKEN"));

        using var response = await client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Tokens_AreOwnedByEachPair_AndNewEveryRun()
    {
        var tokens = new List<string>();
        foreach (var app in new[] { "proxy", "billing", "pool" })
        {
            var api = suite.EnvironmentOf(app, "DAPR_API_TOKEN");
            var appApi = suite.EnvironmentOf(app, "APP_API_TOKEN");
            Assert.Equal(api, suite.EnvironmentOf(app + "-dapr", "DAPR_API_TOKEN"));
            Assert.Equal(appApi, suite.EnvironmentOf(app + "-dapr", "APP_API_TOKEN"));
            tokens.AddRange([api, appApi]);
        }

        Assert.Equal(6, tokens.Distinct(StringComparer.Ordinal).Count());
        Assert.All(tokens, t => Assert.Equal(64, t.Length));
    }

    public static TheoryData<string, string, string> ServiceCalls => new()
    {
        // Reached directly instead of through the sidecar, the internal endpoints want the sidecar's token.
        { "billing", "POST", "/reservations" },
        { "billing", "POST", "/reservations/r-1/finalize" },
        { "pool", "POST", "/leases" },
        { "pool", "GET", "/usage" },
        // Operator endpoints want the operator token.
        { "billing", "POST", "/accounts/demo/credits" },
        { "billing", "GET", "/accounts/demo" },
        { "billing", "GET", "/accounts/demo/entries" },
        { "proxy", "GET", "/api/calls/call_0123456789abcdef0123456789abcdef" },
    };

    [Theory]
    [MemberData(nameof(ServiceCalls))]
    public async Task Service_InternalOrOperatorEndpoint_WithoutAToken_Refuses(string service, string method, string path)
    {
        using var client = suite.Client(service);
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = method == "GET" ? null : JsonContent.Create(new { amount = 100, idempotencyKey = "k-1" }) };

        using var response = await client.SendAsync(request);

        Assert.True(response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden, $"{method} {path} on {service}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
    }

    [Fact]
    public void Listeners_OfEveryResource_AreOnLoopbackOnly()
    {
        foreach (var resource in Suite.Resources)
        {
            var port = suite.App.GetEndpoint(resource, "http").Port;
            var listeners = ListeningSockets.OnPort(port);

            Assert.NotEmpty(listeners);
            Assert.All(listeners, address => Assert.True(System.Net.IPAddress.IsLoopback(address), $"{resource} listens on {address}:{port}"));
        }
    }
}
