using System.Collections.Frozen;
using Gateway.ProxyService.Infrastructure.Forwarding;
using Microsoft.AspNetCore.Http;

namespace Gateway.ProxyService.Tests.Infrastructure.Forwarding;

public sealed class UpstreamTransformerTests
{
    private static readonly Uri Destination = new("http://provider.example/v1/tasks");

    [Fact]
    public async Task TransformRequest_StripsClientCredentialsAndGatewayHeaders_AndInjectsTheProviders()
    {
        var target = Target(UpstreamCredential.InHeader("Authorization", "Bearer", "provider-secret"), "X-Custom-Auth");
        var context = Context(new Dictionary<string, string>
        {
            ["Authorization"] = "Bearer client-secret",
            ["Proxy-Authorization"] = "Basic abc",
            ["X-Api-Key"] = "client-key",
            ["api-key"] = "client-key-2",
            ["Cookie"] = "session=1",
            ["X-Custom-Auth"] = "client-custom",
            ["X-Idempotency-Key"] = "k1",
            ["X-Thread-Id"] = "acct",
            ["X-Forwarded-For"] = "10.0.0.1",
            ["Forwarded"] = "for=10.0.0.1",
            ["dapr-api-token"] = "token",
            ["Host"] = "gateway.example",
            ["Accept"] = "application/json",
            ["X-Request-Tag"] = "kept",
        });
        using var request = new HttpRequestMessage();

        await UpstreamTransformer.Streaming(target, Destination).TransformRequestAsync(context, request, target.DestinationPrefix, CancellationToken.None);

        Assert.Equal(["Bearer provider-secret"], request.Headers.GetValues("Authorization"));
        Assert.Equal(["kept"], request.Headers.GetValues("X-Request-Tag"));
        Assert.Equal(["application/json"], request.Headers.GetValues("Accept"));
        foreach (var gone in new[] { "Proxy-Authorization", "X-Api-Key", "api-key", "Cookie", "X-Custom-Auth", "X-Idempotency-Key", "X-Thread-Id", "X-Forwarded-For", "Forwarded", "dapr-api-token", "Host" })
        {
            Assert.False(request.Headers.Contains(gone), gone + " was forwarded");
        }

        Assert.Equal(Destination, request.RequestUri);
    }

    [Fact]
    public async Task TransformRequest_CustomCredentialHeader_ReplacesTheClientsOwn()
    {
        var target = Target(UpstreamCredential.InHeader("X-Goog-Api-Key", null, "provider-secret"));
        var context = Context(new Dictionary<string, string> { ["X-Goog-Api-Key"] = "client" });
        using var request = new HttpRequestMessage();

        await UpstreamTransformer.Streaming(target, Destination).TransformRequestAsync(context, request, target.DestinationPrefix, CancellationToken.None);

        Assert.Equal(["provider-secret"], request.Headers.GetValues("X-Goog-Api-Key"));
    }

    [Fact]
    public async Task TransformRequest_NoCredential_SendsNoAuthorizationAtAll()
    {
        var target = Target(UpstreamCredential.None);
        var context = Context(new Dictionary<string, string> { ["Authorization"] = "Bearer client-secret", ["X-Api-Key"] = "client-key" });
        using var request = new HttpRequestMessage();

        await UpstreamTransformer.Streaming(target, Destination).TransformRequestAsync(context, request, target.DestinationPrefix, CancellationToken.None);

        Assert.False(request.Headers.Contains("Authorization"));
        Assert.False(request.Headers.Contains("X-Api-Key"));
        Assert.False(request.Options.TryGetValue(CredentialQueryHandler.Key, out _));
        Assert.Equal(Destination, request.RequestUri);
        Assert.Equal("no credential", UpstreamCredential.None.ToString());
    }

    [Fact]
    public async Task TransformRequest_QueryCredential_IsLeftForTheHandlerNotPutInTheUrl()
    {
        var credential = UpstreamCredential.InQuery("key", "provider-secret");
        var target = Target(credential);
        using var request = new HttpRequestMessage();

        await UpstreamTransformer.Streaming(target, Destination).TransformRequestAsync(Context([]), request, target.DestinationPrefix, CancellationToken.None);

        Assert.DoesNotContain("provider-secret", request.RequestUri!.AbsoluteUri, StringComparison.Ordinal);
        Assert.True(request.Options.TryGetValue(CredentialQueryHandler.Key, out var carried));
        Assert.Same(credential, carried);
    }

    [Fact]
    public async Task TransformRequest_Capturing_AsksForAnUncompressedAnswer()
    {
        var target = Target(UpstreamCredential.InHeader("Authorization", "Bearer", "s"));
        using var request = new HttpRequestMessage();

        await UpstreamTransformer.Capturing(target, Destination, 1024).TransformRequestAsync(Context(new Dictionary<string, string> { ["Accept-Encoding"] = "gzip" }), request, target.DestinationPrefix, CancellationToken.None);

        Assert.False(request.Headers.Contains("Accept-Encoding"));
    }

    [Fact]
    public async Task TransformResponse_Capturing_KeepsTheAnswerWithoutCookiesAndWritesNothing()
    {
        var target = Target(UpstreamCredential.InHeader("Authorization", "Bearer", "s"));
        var transformer = UpstreamTransformer.Capturing(target, Destination, 1024);
        var context = Context([]);
        using var response = new HttpResponseMessage(System.Net.HttpStatusCode.Accepted) { Content = new StringContent("""{"taskId":"t1"}""", System.Text.Encoding.UTF8, "application/json") };
        response.Headers.TryAddWithoutValidation("Set-Cookie", "tracking=1");
        response.Headers.TryAddWithoutValidation("X-RateLimit-Remaining", "9");

        var copyBody = await transformer.TransformResponseAsync(context, response, CancellationToken.None);

        Assert.False(copyBody);
        Assert.Empty(context.Response.Headers);
        var captured = transformer.Captured!;
        Assert.Equal(202, captured.StatusCode);
        Assert.Equal("""{"taskId":"t1"}""", System.Text.Encoding.UTF8.GetString(captured.Body));
        Assert.StartsWith("application/json", captured.ContentType, StringComparison.Ordinal);
        Assert.Contains(captured.Headers, h => h.Name == "X-RateLimit-Remaining");
        Assert.DoesNotContain(captured.Headers, h => h.Name.Equals("Set-Cookie", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task TransformResponse_CapturingPastTheLimit_IsTooLarge()
    {
        var transformer = UpstreamTransformer.Capturing(Target(UpstreamCredential.InHeader("Authorization", "Bearer", "s")), Destination, 10);
        using var response = new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = new StringContent(new string('x', 11)) };

        await transformer.TransformResponseAsync(Context([]), response, CancellationToken.None);

        Assert.True(transformer.CaptureTooLarge);
        Assert.Null(transformer.Captured);
    }

    [Fact]
    public async Task TransformResponse_Streaming_DropsSetCookie()
    {
        var context = Context([]);
        using var response = new HttpResponseMessage(System.Net.HttpStatusCode.OK) { Content = new StringContent("x") };
        response.Headers.TryAddWithoutValidation("Set-Cookie", "tracking=1");
        response.Headers.TryAddWithoutValidation("X-Kept", "1");

        var copyBody = await UpstreamTransformer.Streaming(Target(UpstreamCredential.InHeader("Authorization", null, "s")), Destination).TransformResponseAsync(context, response, CancellationToken.None);

        Assert.True(copyBody);
        Assert.False(context.Response.Headers.ContainsKey("Set-Cookie"));
        Assert.Equal("1", context.Response.Headers["X-Kept"]);
    }

    [Fact]
    public async Task CredentialQueryHandler_AppendsTheCredentialAsTheRequestLeaves()
    {
        using var inner = new RecordingHandler();
        using var handler = new CredentialQueryHandler(inner);
        using var invoker = new HttpMessageInvoker(handler);
        using var request = new HttpRequestMessage(HttpMethod.Get, "http://provider.example/v1/tasks?x=1");
        request.Options.Set(CredentialQueryHandler.Key, UpstreamCredential.InQuery("key", "a b&c"));

        using var _ = await invoker.SendAsync(request, CancellationToken.None);

        Assert.Equal("http://provider.example/v1/tasks?x=1&key=a%20b%26c", inner.Seen!.AbsoluteUri);
    }

    private static UpstreamTarget Target(UpstreamCredential credential, params string[] strip) =>
        new(new Uri("http://provider.example/v1"), credential, strip.ToFrozenSet(StringComparer.OrdinalIgnoreCase), TimeSpan.FromSeconds(5));

    private static DefaultHttpContext Context(Dictionary<string, string> headers)
    {
        var context = new DefaultHttpContext();
        foreach (var (name, value) in headers)
        {
            context.Request.Headers[name] = value;
        }

        return context;
    }

    private sealed class RecordingHandler : HttpMessageHandler
    {
        public Uri? Seen { get; private set; }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Seen = request.RequestUri;
            return Task.FromResult(new HttpResponseMessage(System.Net.HttpStatusCode.OK));
        }
    }
}
