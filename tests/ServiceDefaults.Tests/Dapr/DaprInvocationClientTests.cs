using System.Net;
using System.Net.Http.Json;
using Gateway.ServiceDefaults.Dapr;
using Gateway.ServiceDefaults.Tests.Dapr.Support;

namespace Gateway.ServiceDefaults.Tests.Dapr;

/// <summary>Invocation through a live caller sidecar to a live callee sidecar and app.</summary>
public sealed class DaprInvocationClientTests : IClassFixture<InvocationFixture>, IDisposable
{
    private readonly InvocationFixture _fixture;
    private readonly TestDaprClients _clients;
    private readonly DaprInvocationClient _invoke;

    public DaprInvocationClientTests(InvocationFixture fixture)
    {
        _fixture = fixture;
        _clients = new TestDaprClients(httpEndpoint: fixture.CallerEndpoint);
        _invoke = _clients.Invocation;
    }

    public void Dispose() => _clients.Dispose();

    [Fact]
    public async Task InvokeMethod_PostWithJsonBody_ReturnsTypedAnswer()
    {
        var reply = await _invoke.InvokeMethodAsync<Account, EchoReply>(HttpMethod.Post, InvocationFixture.CalleeAppId, "echo/orders", new Account("a1", 42));

        Assert.NotNull(reply);
        Assert.Equal("POST", reply.Method);
        Assert.Equal("/echo/orders", reply.Path);
        Assert.Equal(new Account("a1", 42), reply.Body);
        Assert.Equal("sd-caller", reply.CallerAppId);
    }

    [Fact]
    public async Task InvokeMethod_PathSegments_AreEncodedAndSlashesKept()
    {
        var reply = await _invoke.InvokeMethodAsync<EchoReply>(HttpMethod.Get, InvocationFixture.CalleeAppId, "/echo/a b/ü?#%");

        Assert.Equal("/echo/a b/ü?#%", reply!.Path);
        Assert.Equal("", reply.Query);
    }

    [Fact]
    public async Task InvokeMethod_EmptyAnswer_ReturnsDefault()
    {
        Assert.Null(await _invoke.InvokeMethodAsync<EchoReply>(HttpMethod.Get, InvocationFixture.CalleeAppId, "empty"));
    }

    [Fact]
    public async Task InvokeMethod_CalleeAnswers500_ThrowsWithItsStatusAndNoErrorCodeOrBody()
    {
        var error = await Assert.ThrowsAsync<DaprApiException>(() => _invoke.InvokeMethodAsync<Account, EchoReply>(HttpMethod.Post, InvocationFixture.CalleeAppId, "fail", new Account("a", 1)));

        Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
        Assert.Null(error.ErrorCode);
        Assert.DoesNotContain("not-for-logs", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeMethod_UnknownApp_GetIsRetried_ThenThrowsDirectInvokeError()
    {
        using var telemetry = new CapturedTelemetry();

        var error = await Assert.ThrowsAsync<DaprApiException>(() => _invoke.InvokeMethodAsync<EchoReply>(HttpMethod.Get, "sd-nobody", "echo/x"));

        Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
        Assert.Equal("ERR_DIRECT_INVOKE", error.ErrorCode);
        Assert.Contains("sd-nobody", error.Message, StringComparison.Ordinal);
        Assert.Equal(3, Assert.Single(telemetry.Activities).GetTagItem("dapr.attempts"));
    }

    [Fact]
    public async Task InvokeMethodWithResponse_UnknownApp_GetIsRetried_ThenReturnsTheSidecarsError()
    {
        using var telemetry = new CapturedTelemetry();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("echo/x", UriKind.Relative));

        using var response = await _invoke.InvokeMethodWithResponseAsync("sd-nobody", request);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("ERR_DIRECT_INVOKE", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(3, Assert.Single(telemetry.Activities).GetTagItem("dapr.attempts"));
    }

    [Fact]
    public async Task InvokeMethod_UnknownApp_PostIsSentOnce()
    {
        using var telemetry = new CapturedTelemetry();

        var error = await Assert.ThrowsAsync<DaprApiException>(() => _invoke.InvokeMethodAsync<Account, EchoReply>(HttpMethod.Post, "sd-nobody", "echo/x", new Account("a", 1)));

        Assert.Equal("ERR_DIRECT_INVOKE", error.ErrorCode);
        Assert.Equal(1, Assert.Single(telemetry.Activities).GetTagItem("dapr.attempts"));
    }

    [Fact]
    public async Task InvokeMethodWithResponse_PassesPathAndQueryThrough()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("echo/a%2Fb/c?x=1&y=a%20b", UriKind.Relative));

        using var response = await _invoke.InvokeMethodWithResponseAsync(InvocationFixture.CalleeAppId, request);
        var reply = await response.Content.ReadFromJsonAsync<EchoReply>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("?x=1&y=a%20b", reply!.Query);
        Assert.StartsWith("/echo/a", reply.Path, StringComparison.Ordinal);
        Assert.EndsWith("b/c", reply.Path, StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeMethodWithResponse_PostWithContent_IsForwarded()
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, new Uri("echo/put", UriKind.Relative)) { Content = JsonContent.Create(new Account("p", 5)) };

        using var response = await _invoke.InvokeMethodWithResponseAsync(InvocationFixture.CalleeAppId, request);
        var reply = await response.Content.ReadFromJsonAsync<EchoReply>();

        Assert.Equal("PUT", reply!.Method);
        Assert.Equal(new Account("p", 5), reply.Body);
    }

    [Fact]
    public async Task InvokeMethodWithResponse_CalleeError_IsReturnedUnchanged()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("fail", UriKind.Relative));

        using var response = await _invoke.InvokeMethodWithResponseAsync(InvocationFixture.CalleeAppId, request);

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("failed", response.Headers.GetValues("x-callee").Single());
        Assert.Contains("not-for-logs", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InvokeMethodWithResponse_StreamsBeforeTheCalleeFinishes()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("stream", UriKind.Relative));

        using var response = await _invoke.InvokeMethodWithResponseAsync(InvocationFixture.CalleeAppId, request, timeout.Token);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(timeout.Token));
        var first = await reader.ReadLineAsync(timeout.Token);
        _fixture.App.StreamRelease.TrySetResult();
        var last = await reader.ReadLineAsync(timeout.Token);

        Assert.Equal("first", first);
        Assert.Equal("last", last);
    }

    [Fact]
    public async Task InvokeMethodWithResponse_ForwardedRoutingAndTokenHeaders_AreDropped()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("echo/h", UriKind.Relative));
        request.Headers.Add("dapr-app-id", "sd-nobody");
        request.Headers.Add("dapr-api-token", "from-a-client");

        using var response = await _invoke.InvokeMethodWithResponseAsync(InvocationFixture.CalleeAppId, request);
        var reply = await response.Content.ReadFromJsonAsync<EchoReply>();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(reply!.HadAppIdHeader);
        Assert.False(reply.HadApiToken);
    }

    [Fact]
    public async Task InvokeMethodWithResponse_AbsoluteOrDotSegmentUri_IsRefused()
    {
        using var absolute = new HttpRequestMessage(HttpMethod.Get, new Uri("http://elsewhere.example/x"));
        using var climbing = new HttpRequestMessage(HttpMethod.Get, new Uri("a/../../../state/statestore/k", UriKind.Relative));
        using var encodedClimb = new HttpRequestMessage(HttpMethod.Get, new Uri("a/%2e%2e/x", UriKind.Relative));
        using var noUri = new HttpRequestMessage { Method = HttpMethod.Get };

        await Assert.ThrowsAsync<ArgumentException>(() => _invoke.InvokeMethodWithResponseAsync(InvocationFixture.CalleeAppId, absolute));
        await Assert.ThrowsAsync<ArgumentException>(() => _invoke.InvokeMethodWithResponseAsync(InvocationFixture.CalleeAppId, climbing));
        await Assert.ThrowsAsync<ArgumentException>(() => _invoke.InvokeMethodWithResponseAsync(InvocationFixture.CalleeAppId, encodedClimb));
        await Assert.ThrowsAsync<ArgumentException>(() => _invoke.InvokeMethodWithResponseAsync(InvocationFixture.CalleeAppId, noUri));
        await Assert.ThrowsAsync<ArgumentException>(() => _invoke.InvokeMethodAsync<EchoReply>(HttpMethod.Get, InvocationFixture.CalleeAppId, "echo/../../state"));
        await Assert.ThrowsAsync<ArgumentException>(() => _invoke.InvokeMethodAsync<EchoReply>(HttpMethod.Get, "", "echo"));
    }
}
