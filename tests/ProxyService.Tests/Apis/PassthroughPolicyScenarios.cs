using Gateway.ProxyService.Tests.Support;

namespace Gateway.ProxyService.Tests.Apis;

/// <summary>
/// Issue #18, finding 2: passthrough forwards only the configured methods (the standard ones,
/// matched exactly) on the configured paths (the stack's providers: <c>/models</c>, <c>/echo</c>,
/// <c>/stream</c>); anything else that is not a submit or a query is 405 with <c>Allow</c>, or 404,
/// in problem+json, and never reaches the provider (so never carries its key).
/// </summary>
[Collection(SharedStackDefinition.Name)]
public sealed class PassthroughPolicyScenarios(StackFixture fixture)
{
    private ProxyStack Stack => fixture.Stack;

    /// <summary>A request line's method and the path below <c>/api/proxy/tasks</c>, the status, and a method <c>Allow</c> must list (405).</summary>
    public static TheoryData<string, string, int, string?> Refused => new()
    {
        { "TRACE", "/models", 405, "GET" },
        { "PROPFIND", "/models", 405, "GET" },
        { "FOO", "/models", 405, "GET" },
        { new string('M', 300), "/models", 405, "GET" },
        { "get", "/models", 405, "GET" },
        { "Get", "/models", 405, "GET" },
        { "post", "/tasks", 405, "POST" },
        { "TRACE", "/tasks", 405, "POST" },
        { "GET", "/tasks", 405, "POST" },
        { "CONNECT", "/models", 405, "GET" },
        { "TRACE", "/tasks/task_1", 405, "GET" },
        { "GET", "/admin", 404, null },
        { "DELETE", "/no/such/path", 404, null },
        { "GET", "/", 404, null },
    };

    /// <summary>What passthrough does forward: each standard method on a passthrough path.</summary>
    public static TheoryData<string> Forwarded => ["GET", "HEAD", "OPTIONS", "POST", "PUT", "PATCH", "DELETE"];

    [Theory]
    [MemberData(nameof(Refused))]
    public async Task Request_NotASubmitQueryOrAllowedPassthrough_IsRefusedAndNeverForwarded(string method, string path, int status, string? allowed)
    {
        var run = ProxyCalls.NewRun();
        var before = (await Stack.AllProviderRequestsAsync()).Count;

        var reply = await Stack.SendRawAsync(RawProxyRequest.Head(method, "/api/proxy/tasks" + path, "Content-Length: 0").Replace("{run}", run, StringComparison.Ordinal));

        Assert.True(reply.Status == status, $"{method[..Math.Min(method.Length, 10)]} {path}: {reply.Status} {reply.Body}");
        Assert.StartsWith("application/problem+json", reply.ContentType, StringComparison.Ordinal);
        Assert.Equal(status == 405 ? "method_not_allowed" : "unknown_route", reply.Json().GetProperty("code").GetString());
        if (allowed is not null)
        {
            Assert.Contains(allowed, reply.Headers["Allow"].Split(", "));
            Assert.DoesNotContain(method, reply.Headers["Allow"].Split(", "));
        }

        Assert.DoesNotContain(ProxyStack.ProviderKey, reply.Body, StringComparison.Ordinal);
        Assert.Empty(await Stack.ProviderRequestsAsync(run));
        Assert.Equal(before, (await Stack.AllProviderRequestsAsync()).Count);
    }

    [Theory]
    [MemberData(nameof(Forwarded))]
    public async Task Request_StandardMethodOnAPassthroughPath_IsForwardedWithTheProvidersKey(string method)
    {
        var run = ProxyCalls.NewRun();

        var reply = await Stack.SendRawAsync(RawProxyRequest.Head(method, "/api/proxy/tasks/models", "Content-Length: 0").Replace("{run}", run, StringComparison.Ordinal));

        Assert.DoesNotContain("method_not_allowed", reply.Body, StringComparison.Ordinal);
        var seen = Assert.Single(await Stack.ProviderRequestsAsync(run));
        Assert.Equal(method, seen.GetProperty("method").GetString());
        Assert.Equal("Bearer " + ProxyStack.ProviderKey, seen.GetProperty("headers").GetProperty("authorization").GetString());
    }
}
