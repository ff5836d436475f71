using System.Net;
using System.Text.Json;
using Gateway.ServiceDefaults.Actors;
using Gateway.ServiceDefaults.Dapr;
using Gateway.ServiceDefaults.Tests.Actors.Support;

namespace Gateway.ServiceDefaults.Tests.Actors;

/// <summary>ActorClient on the wire: <c>PUT /v1.0/actors/{type}/{id}/method/{method}</c> with the API token and the reentrancy id of the current actor call.</summary>
public sealed class ActorClientTests : IAsyncLifetime
{
    private RecordingSidecar _sidecar = null!;
    private TestActorSidecar _api = null!;
    private (int Status, string? Body) _answer = (200, "42");

    public async Task InitializeAsync()
    {
        _sidecar = await RecordingSidecar.StartAsync(_ => _answer);
        _api = new TestActorSidecar(_sidecar.Endpoint, apiToken: "sidecar-secret");
    }

    public async Task DisposeAsync()
    {
        _api.Dispose();
        await _sidecar.DisposeAsync();
    }

    [Fact]
    public async Task InvokeAsync_WithRequest_PutsItsJson_WithTheApiToken_AndReadsTheAnswer()
    {
        var result = await _api.Client.InvokeAsync<long>("Counter", "c 1", "increment", new IncrementRequest(3));

        var request = Assert.Single(_sidecar.Requests);
        Assert.Equal(42, result);
        Assert.Equal("PUT /v1.0/actors/Counter/c%201/method/increment", request.Line);
        Assert.Equal("""{"by":3}""", request.Body);
        Assert.Equal("sidecar-secret", request.Headers["dapr-api-token"]);
        Assert.StartsWith("application/json", request.Headers["Content-Type"], StringComparison.Ordinal);
        Assert.False(request.Headers.ContainsKey("Dapr-Reentrancy-Id"));
    }

    [Fact]
    public async Task InvokeAsync_WithoutRequest_SendsNoBody_AndAnEmptyAnswerIsDefault()
    {
        _answer = (200, null);

        var result = await _api.Client.InvokeAsync<IncrementRequest>("Counter", "c1", "get");
        await _api.Client.InvokeAsync("Counter", "c1", "nothing");

        Assert.Null(result);
        Assert.All(_sidecar.Requests, r => Assert.Equal("", r.Body));
        Assert.All(_sidecar.Requests, r => Assert.False(r.Headers.ContainsKey("Content-Type")));
    }

    [Fact]
    public async Task InvokeAsync_InsideAnActorCall_PassesItsReentrancyIdOn()
    {
        ActorCallContext.Enter("chain-7");

        await _api.Client.InvokeAsync<long>("Counter", "c1", "get");

        Assert.Equal("chain-7", Assert.Single(_sidecar.Requests).Headers["Dapr-Reentrancy-Id"]);
    }

    [Fact]
    public async Task InvokeAsync_ActorMethodFailed_ThrowsDaprApiExceptionWithTheErrorCode()
    {
        _answer = (500, RecordingSidecar.DaprError("ERR_ACTOR_INVOKE_METHOD", "error invoke actor method: error from actor service: (500) {}"));

        var error = await Assert.ThrowsAsync<DaprApiException>(() => _api.Client.InvokeAsync<long>("Counter", "c1", "fail"));

        Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
        Assert.Equal("ERR_ACTOR_INVOKE_METHOD", error.ErrorCode);
        Assert.Single(_sidecar.Requests);
    }

    [Fact]
    public async Task InvokeAsync_NoSidecar_ThrowsDaprApiExceptionWithoutStatus_AfterOneAttempt()
    {
        using var nowhere = new TestActorSidecar(new Uri($"http://127.0.0.1:{Gateway.Testing.FreePort.Next()}"));

        var error = await Assert.ThrowsAsync<DaprApiException>(() => nowhere.Client.InvokeAsync<long>("Counter", "c1", "get"));

        Assert.Null(error.StatusCode);
        Assert.IsType<HttpRequestException>(error.InnerException);
    }

    [Fact]
    public async Task InvokeAsync_AnswerOfAnotherShape_ThrowsJsonException()
    {
        _answer = (200, "\"not a number\"");

        await Assert.ThrowsAsync<JsonException>(() => _api.Client.InvokeAsync<long>("Counter", "c1", "get"));
    }

    [Theory]
    [InlineData("", "c1", "get")]
    [InlineData("Counter", "a/b", "get")]
    [InlineData("Counter", "c1", "..")]
    [InlineData("Counter", "c1", "get?x=1")]
    public async Task InvokeAsync_NameThatCannotTravelInAPathSegment_IsRefusedBeforeSending(string actorType, string actorId, string method)
    {
        await Assert.ThrowsAsync<ArgumentException>(() => _api.Client.InvokeAsync<long>(actorType, actorId, method));

        Assert.Empty(_sidecar.Requests);
    }
}
