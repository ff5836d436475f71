using System.Net;
using System.Net.Http.Headers;
using Gateway.ProxyService.Tests.Support;

namespace Gateway.ProxyService.Tests.Apis;

/// <summary>The operator's call view while the proxy cannot reach its call ledger (its sidecar is gone).</summary>
public sealed class LedgerOutageScenarios
{
    [Fact]
    public async Task GetCall_LedgerUnreachable_Answers503LedgerUnavailable_WithRetryAfter()
    {
        await using var stack = await ProxyStack.StartAsync();
        var submit = await stack.SubmitAsync("tasks", ProxyCalls.NewRun(), await stack.NewAccountAsync());
        Assert.NotNull(submit.CallId);

        await stack.StopProxySidecarAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/calls/{submit.CallId}");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", ProxyStack.OperatorToken);
        using var response = await stack.Proxy.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("1", response.Headers.RetryAfter?.ToString());
        Assert.Contains(Gateway.ProxyService.Model.ProxyProblems.LedgerUnavailableType, body, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", body, StringComparison.Ordinal);
    }
}
