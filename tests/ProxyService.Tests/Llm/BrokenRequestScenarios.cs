using System.Globalization;
using System.Text;
using System.Text.Json;
using Gateway.Testing;

namespace Gateway.ProxyService.Tests.Llm;

/// <summary>How a raw request's body goes out.</summary>
public enum BodySending
{
    /// <summary>All of it at once, as written.</summary>
    Whole,

    /// <summary>The head and a few bytes of a longer Content-Length, then nothing.</summary>
    Stall,

    /// <summary>The head, then 4 KiB chunks that never end.</summary>
    Endless,
}

/// <summary>
/// Requests to <c>/v1</c> that are broken in their JSON, their method, their path or their body's
/// framing (issue #18), sent over a bare socket through the whole stack: each answered with its
/// 4xx in OpenAI's error shape, never a 5xx, never forwarded to a backend.
/// </summary>
public sealed class BrokenRequestScenarios(LlmStackFixture fixture) : IClassFixture<LlmStackFixture>
{
    private const string Chat = "/v1/chat/completions";
    private const string Marker = "{marker}";

    private LlmStack Stack => fixture.Stack;

    public static TheoryData<string, string, BodySending, int, string> BrokenRequests => new()
    {
        { "duplicate key", Post(Chat, """{"model":"gpt-4o-mini","model":"mini","messages":[{"role":"user","content":"{marker}"}]}"""), BodySending.Whole, 400, "invalid_request" },
        { "duplicate key, nested", Post(Chat, """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"{marker}","content":"again"}]}"""), BodySending.Whole, 400, "invalid_request" },
        { "invalid UTF-8 in a string", Post(Chat, "{\"model\":\"gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"{marker}\u00C3(\"}]}"), BodySending.Whole, 400, "invalid_request" },
        { "invalid UTF-8 in the model", Post(Chat, "{\"model\":\"gpt-4o-\u00FFmini\",\"messages\":[{\"role\":\"user\",\"content\":\"{marker}\"}]}"), BodySending.Whole, 400, "invalid_request" },
        { "lone surrogate escape", Post(Chat, """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"{marker}\ud800"}]}"""), BodySending.Whole, 400, "invalid_request" },
        { "trailing garbage", Post(Chat, """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"{marker}"}]} and more"""), BodySending.Whole, 400, "invalid_request" },
        { "array body", Post(Chat, """[{"model":"gpt-4o-mini","messages":[{"role":"user","content":"{marker}"}]}]"""), BodySending.Whole, 400, "invalid_request" },
        { "GET", Bodiless("GET", Chat), BodySending.Whole, 405, "method_not_allowed" },
        { "TRACE", Bodiless("TRACE", Chat), BodySending.Whole, 405, "method_not_allowed" },
        { "OPTIONS", Bodiless("OPTIONS", Chat), BodySending.Whole, 405, "method_not_allowed" },
        { "unknown path", Bodiless("GET", "/v1/no/such/endpoint"), BodySending.Whole, 404, "unknown_url" },
        { "unknown path with a body", Post("/v1/chat/complete", """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"{marker}"}]}"""), BodySending.Whole, 404, "unknown_url" },
        { "malformed chunk", Head("POST", Chat, "Transfer-Encoding: chunked") + "zz\r\n{marker}\r\n0\r\n\r\n", BodySending.Whole, 400, "invalid_request" },
        { "Content-Length over the limit", Head("POST", Chat, "Content-Length: 65537"), BodySending.Whole, 413, "request_too_large" },
        { "stalled body", Head("POST", Chat, "Content-Length: 1000") + """{"model":"gpt-4o-mini","messages":""", BodySending.Stall, 408, "request_timeout" },
        { "endless chunked body", Head("POST", Chat, "Transfer-Encoding: chunked"), BodySending.Endless, 413, "request_too_large" },
    };

    [Theory]
    [MemberData(nameof(BrokenRequests))]
    public async Task BrokenRequest_IsAnsweredInOpenAisShape_AndReachesNoBackend(string scenario, string request, BodySending sending, int status, string code)
    {
        var (run, marker) = (NewId("run"), NewId("m"));

        var response = await SendAsync(request.Replace(Marker, marker, StringComparison.Ordinal).Replace("{run}", run, StringComparison.Ordinal), sending);

        Assert.True(status == response.Status, $"{scenario}: expected {status}, got {response.Status}: {response.Body}");
        Assert.StartsWith("application/json", response.ContentType, StringComparison.Ordinal);
        var error = JsonDocument.Parse(response.Body).RootElement.GetProperty("error");
        Assert.Equal(JsonValueKind.String, error.GetProperty("message").ValueKind);
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.True(error.TryGetProperty("param", out _), $"{scenario}: no param in {response.Body}");
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.DoesNotContain(marker, response.Body, StringComparison.Ordinal);
        if (status == 405)
        {
            Assert.Contains("POST", response.Headers["Allow"], StringComparison.Ordinal);
        }

        Assert.Empty(await Stack.RequestsOfRunAsync(run));
    }

    [Fact]
    public async Task WellFormedRequest_SentTheSameWay_ReachesABackend()
    {
        var (run, marker) = (NewId("run"), NewId("m"));
        var request = Post(Chat, $$"""{"model":"gpt-4o-mini","messages":[{"role":"user","content":"{{marker}}"}]}""").Replace("{run}", run, StringComparison.Ordinal);

        // The only request of this class that needs a lease: on a loaded machine PoolService's first
        // one can outlast the gateway's pool timeout, answered 503 pool_unavailable, which a client retries.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        var response = await SendAsync(request, BodySending.Whole);
        while (response.Status == 503 && response.Body.Contains("pool_unavailable", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
        {
            response = await SendAsync(request, BodySending.Whole);
        }

        Assert.True(response.Status == 200, $"{response.Status}: {response.Body}");
        Assert.Contains(marker, response.Body, StringComparison.Ordinal);
        Assert.Single(await Stack.RequestsOfRunAsync(run));
    }

    private async Task<RawResponse> SendAsync(string request, BodySending sending)
    {
        await using var connection = await RawHttp.ConnectAsync(Stack.ProxyPort);
        await connection.SendAsync(request);
        if (sending != BodySending.Endless)
        {
            return await connection.ReadResponseAsync(TimeSpan.FromSeconds(30));
        }

        return await connection.ReadResponseWhileSendingChunksAsync(limit: 64L * 1024 * 1024, TimeSpan.FromSeconds(30));
    }

    private static string NewId(string prefix) => prefix + "-" + Guid.NewGuid().ToString("N")[..12];

    /// <summary>The request line and headers, with <c>X-Fake-Run: {run}</c> so the fakes' journals can be asked.</summary>
    private static string Head(string method, string path, string headers) =>
        $"{method} {path} HTTP/1.1\r\nHost: gateway\r\nX-Fake-Run: {{run}}\r\nContent-Type: application/json\r\n{headers}\r\n\r\n";

    private static string Bodiless(string method, string path) => Head(method, path, "Content-Length: 0");

    /// <summary>A POST of <paramref name="body"/> (characters up to U+00FF, sent as those bytes) with its Content-Length once each marker is in.</summary>
    private static string Post(string path, string body)
    {
        var markers = body.Split(Marker).Length - 1;
        var length = Encoding.Latin1.GetByteCount(body) + (markers * (NewId("m").Length - Marker.Length));
        return Head("POST", path, "Content-Length: " + length.ToString(CultureInfo.InvariantCulture)) + body;
    }
}
