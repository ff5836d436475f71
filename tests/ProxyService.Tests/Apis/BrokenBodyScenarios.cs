using Gateway.ProxyService.Tests.Support;
using static Gateway.ProxyService.Tests.Support.RawProxyRequest;

namespace Gateway.ProxyService.Tests.Apis;

/// <summary>
/// Issue #18, finding 3, on the task proxy: a body over the limit (the stack's providers accept
/// 64 KiB), broken in its chunking or stalled, and a header value that is not ASCII (UTF-8, which
/// Kestrel accepts; bytes that are not UTF-8 it refuses itself with a bare 400), are answered
/// with their 4xx in problem+json on every kind of route (passthrough included) before anything
/// is forwarded: the provider never sees the request and no funds are held.
/// </summary>
[Collection(SharedStackDefinition.Name)]
public sealed class BrokenBodyScenarios(StackFixture fixture)
{
    private const string Chunked = "Transfer-Encoding: chunked";

    private ProxyStack Stack => fixture.Stack;

    /// <summary>The request (<c>{account}</c> and <c>{run}</c> filled in), how its body goes out, the status and code.</summary>
    public static TheoryData<string, string, RawBody, int, string> BrokenRequests => new()
    {
        { "11 MB chunked body, passthrough", Head("POST", "/api/proxy/tasks/echo", Chunked), RawBody.ElevenMegabytes, 413, "body_too_large" },
        { "11 MB chunked body, submit", Head("POST", "/api/proxy/tasks/tasks", $"X-Thread-Id: {{account}}\r\n{Chunked}"), RawBody.ElevenMegabytes, 413, "body_too_large" },
        { "11 MB chunked body, query", Head("POST", "/api/proxy/tasks/tasks/query", Chunked), RawBody.ElevenMegabytes, 413, "body_too_large" },
        { "Content-Length over the limit, passthrough", Head("PUT", "/api/proxy/tasks/echo", "Content-Length: 65537"), RawBody.Whole, 413, "body_too_large" },
        { "malformed chunk size, passthrough", Head("POST", "/api/proxy/tasks/echo", Chunked) + "zz\r\nhello\r\n0\r\n\r\n", RawBody.Whole, 400, "bad_request" },
        { "malformed chunk size after a good chunk, passthrough", Head("POST", "/api/proxy/tasks/echo", Chunked) + "5\r\nhello\r\nzz\r\nhello\r\n0\r\n\r\n", RawBody.Whole, 400, "bad_request" },
        { "malformed chunk size, submit", Head("POST", "/api/proxy/tasks/tasks", $"X-Thread-Id: {{account}}\r\n{Chunked}") + "zz\r\n{}\r\n0\r\n\r\n", RawBody.Whole, 400, "bad_request" },
        { "stalled body, passthrough", Head("POST", "/api/proxy/tasks/echo", "Content-Length: 1000") + "{\"a\":", RawBody.Stall, 408, "request_timeout" },
        { "non-ASCII header value, passthrough", Head("GET", "/api/proxy/tasks/models", "X-Custom: caf\u00c3\u00a9"), RawBody.Whole, 400, "invalid_header" },
        { "non-ASCII header value, submit", WithBody("POST", "/api/proxy/tasks/tasks", "{}", "X-Thread-Id: {account}\r\nX-Custom: \u00c3\u00bf"), RawBody.Whole, 400, "invalid_header" },
        { "non-ASCII header value, query", Head("GET", "/api/proxy/tasks/tasks/task_1", "X-Custom: \u00c3\u00a9t\u00c3\u00a9"), RawBody.Whole, 400, "invalid_header" },
        { "non-ASCII value of a stripped header, passthrough", Head("GET", "/api/proxy/tasks/models", "Authorization: Bearer \u00e2\u0082\u00ac"), RawBody.Whole, 400, "invalid_header" },
    };

    [Theory]
    [MemberData(nameof(BrokenRequests))]
    public async Task BrokenRequest_IsAnsweredWithIts4xx_AndNeverForwarded(string scenario, string request, RawBody sending, int status, string code)
    {
        var (account, run) = (await Stack.NewAccountAsync(), ProxyCalls.NewRun());

        var reply = await Stack.SendRawAsync(request.Replace("{account}", account, StringComparison.Ordinal).Replace("{run}", run, StringComparison.Ordinal), sending);

        Assert.True(reply.Status == status, $"{scenario}: expected {status}, got {reply.Status}: {reply.Body}");
        Assert.StartsWith("application/problem+json", reply.ContentType, StringComparison.Ordinal);
        Assert.Equal(code, reply.Json().GetProperty("code").GetString());
        Assert.Empty(await Stack.ProviderRequestsAsync(run));
        Assert.Equal(["credit"], (await Stack.EntriesAsync(account)).Select(e => e.Kind));
    }

    [Fact]
    public async Task WellFormedChunkedBody_SentTheSameWay_IsForwarded()
    {
        var run = ProxyCalls.NewRun();

        var reply = await Stack.SendRawAsync(Head("POST", "/api/proxy/tasks/echo", $"Content-Type: text/plain\r\n{Chunked}").Replace("{run}", run, StringComparison.Ordinal) + "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");

        Assert.Equal((200, "hello world"), (reply.Status, reply.Body));
        Assert.Single(await Stack.ProviderRequestsAsync(run));
    }
}
