using System.Net;
using System.Text.Json;
using Gateway.ServiceDefaults.Actors;
using Gateway.ServiceDefaults.Dapr;
using Gateway.ServiceDefaults.Tests.Actors.Support;

namespace Gateway.ServiceDefaults.Tests.Actors;

/// <summary>
/// The state manager on the wire: reads through <c>GET /v1.0/actors/{type}/{id}/state/{key}</c>
/// once per key, commits a turn's changes as one bare-array transaction, rolls back failed turns.
/// </summary>
public sealed class ActorStateTests : IAsyncLifetime
{
    private const string StatePrefix = "/v1.0/actors/Counter/c%201/state";

    private readonly Dictionary<string, string> _stored = new(StringComparer.Ordinal) { ["count"] = "41", ["name"] = "\"old\"" };
    private RecordingSidecar _sidecar = null!;
    private TestActorSidecar _api = null!;
    private int _transactionStatus = 204;

    public async Task InitializeAsync()
    {
        _sidecar = await RecordingSidecar.StartAsync(Respond);
        _api = new TestActorSidecar(_sidecar.Endpoint);
    }

    public async Task DisposeAsync()
    {
        _api.Dispose();
        await _sidecar.DisposeAsync();
    }

    [Fact]
    public async Task TryGetStateAsync_ReadsEachKeyOnce_AndCachesMisses()
    {
        var state = NewState();

        var count = await state.TryGetStateAsync<long>("count");
        var again = await state.TryGetStateAsync<long>("count");
        var missing = await state.TryGetStateAsync<long>("absent");
        var stillMissing = await state.ContainsStateAsync("absent");

        Assert.Equal(new ConditionalValue<long>(true, 41), count);
        Assert.Equal(count, again);
        Assert.False(missing.HasValue);
        Assert.False(stillMissing);
        Assert.Equal([$"GET {StatePrefix}/count", $"GET {StatePrefix}/absent"], _sidecar.Requests.Select(r => r.Line));
    }

    [Fact]
    public async Task GetStateAsync_Missing_ThrowsKeyNotFound()
    {
        var state = NewState();

        await Assert.ThrowsAsync<KeyNotFoundException>(() => state.GetStateAsync<long>("absent"));
    }

    [Fact]
    public async Task CommitAsync_SendsOneBareArrayTransaction_WithUpsertsAndDeletes()
    {
        var state = NewState();
        await state.SetStateAsync("count", 42L);
        await state.SetStateAsync("tags", new[] { "a", "b" });
        Assert.True(await state.TryRemoveStateAsync("name"));

        await state.CommitAsync(CancellationToken.None);

        var transaction = Assert.Single(_sidecar.Requests, r => r.Method == "POST");
        Assert.Equal(StatePrefix, transaction.Target);
        Assert.Equal("application/json", transaction.Headers["Content-Type"]);
        Assert.Equal(
            """[{"operation":"upsert","request":{"key":"count","value":42}},{"operation":"upsert","request":{"key":"tags","value":["a","b"]}},{"operation":"delete","request":{"key":"name"}}]""",
            transaction.Body);
        Assert.Equal("42", _stored["count"]);
        Assert.False(_stored.ContainsKey("name"));
    }

    [Fact]
    public async Task CommitAsync_NothingChanged_SendsNothing()
    {
        var state = NewState();
        await state.TryGetStateAsync<long>("count");

        await state.CommitAsync(CancellationToken.None);
        await state.SaveStateAsync();

        Assert.DoesNotContain(_sidecar.Requests, r => r.Method == "POST");
    }

    [Fact]
    public async Task CommitAsync_KeyAddedAndRemovedThatTheStoreNeverHad_SendsNothing()
    {
        var state = NewState();
        Assert.False(await state.ContainsStateAsync("fresh"));
        await state.SetStateAsync("fresh", 1);
        Assert.True(await state.TryRemoveStateAsync("fresh"));

        await state.CommitAsync(CancellationToken.None);

        Assert.DoesNotContain(_sidecar.Requests, r => r.Method == "POST");
    }

    [Fact]
    public async Task CommitAsync_KeySetBlindThenRemoved_SendsDelete()
    {
        var state = NewState();
        await state.SetStateAsync("name", "new");
        Assert.True(await state.TryRemoveStateAsync("name"));

        await state.CommitAsync(CancellationToken.None);

        Assert.Equal("""[{"operation":"delete","request":{"key":"name"}}]""", Assert.Single(_sidecar.Requests, r => r.Method == "POST").Body);
        Assert.DoesNotContain(_sidecar.Requests, r => r.Method == "GET");
    }

    [Fact]
    public async Task CommitAsync_AfterCommit_SendsOnlyNewChanges()
    {
        var state = NewState();
        await state.SetStateAsync("count", 1L);
        await state.CommitAsync(CancellationToken.None);
        await state.SetStateAsync("other", 2L);

        await state.CommitAsync(CancellationToken.None);

        Assert.Equal(
            ["""[{"operation":"upsert","request":{"key":"count","value":1}}]""", """[{"operation":"upsert","request":{"key":"other","value":2}}]"""],
            _sidecar.Requests.Where(r => r.Method == "POST").Select(r => r.Body));
    }

    [Fact]
    public async Task Rollback_RestoresTheCacheAsTheTurnFoundIt()
    {
        var state = NewState();
        Assert.Equal(41, await state.GetStateAsync<long>("count"));
        var snapshot = state.BeginTurn();
        await state.SetStateAsync("count", 99L);
        await state.TryRemoveStateAsync("name");

        state.Rollback(snapshot);

        Assert.Equal(41, await state.GetStateAsync<long>("count"));
        Assert.Empty(state.PendingKeys);
        Assert.Equal("old", await state.GetStateAsync<string>("name"));
        await state.CommitAsync(CancellationToken.None);
        Assert.DoesNotContain(_sidecar.Requests, r => r.Method == "POST");
    }

    [Fact]
    public async Task Rollback_AfterSaveInTheTurn_DropsTheCacheToReadAgain()
    {
        var state = NewState();
        Assert.Equal(41, await state.GetStateAsync<long>("count"));
        var snapshot = state.BeginTurn();
        await state.SetStateAsync("count", 50L);
        await state.SaveStateAsync();

        state.Rollback(snapshot);

        Assert.Equal(50, await state.GetStateAsync<long>("count"));
        Assert.Equal(2, _sidecar.Requests.Count(r => r.Line == $"GET {StatePrefix}/count"));
    }

    [Fact]
    public async Task CommitAsync_SidecarRefuses_ThrowsDaprApiException_AndDropsTheCache()
    {
        var state = NewState();
        Assert.Equal(41, await state.GetStateAsync<long>("count"));
        await state.SetStateAsync("count", 42L);
        _transactionStatus = 400;

        var error = await Assert.ThrowsAsync<DaprApiException>(() => state.CommitAsync(CancellationToken.None));

        Assert.Equal(HttpStatusCode.BadRequest, error.StatusCode);
        Assert.Equal("ERR_ACTOR_INSTANCE_MISSING", error.ErrorCode);
        Assert.Single(_sidecar.Requests, r => r.Method == "POST");
        Assert.Equal(41, await state.GetStateAsync<long>("count"));
        Assert.Equal(2, _sidecar.Requests.Count(r => r.Line == $"GET {StatePrefix}/count"));
    }

    [Fact]
    public async Task GetStateAsync_ReturnsACopy_SoChangingItChangesNothing()
    {
        var state = NewState();
        var tags = await state.GetOrAddStateAsync("tags", new List<string> { "a" });
        tags.Add("b");

        var again = await state.GetStateAsync<List<string>>("tags");

        Assert.Equal(["a"], again);
    }

    [Theory]
    [InlineData("a/b")]
    [InlineData("..")]
    [InlineData("")]
    public async Task Keys_ThatCannotTravelInAPath_AreRefused(string key)
    {
        var state = NewState();

        await Assert.ThrowsAsync<ArgumentException>(() => state.TryGetStateAsync<int>(key));
        await Assert.ThrowsAsync<ArgumentException>(() => state.SetStateAsync(key, 1));
        Assert.Empty(_sidecar.Requests);
    }

    [Fact]
    public async Task SetStateAsync_ValueThatCannotBeSerialised_ThrowsAtOnce()
    {
        var state = NewState();
        var loop = new Loop();
        loop.Next = loop;

        await Assert.ThrowsAsync<JsonException>(() => state.SetStateAsync("loop", loop));

        Assert.Empty(state.PendingKeys);
    }

    private ActorState NewState() => new(_api.Api, "Counter", "c 1");

    private (int Status, string? Body) Respond(RecordedRequest request)
    {
        lock (_stored)
        {
            if (request.Method == "GET" && request.Target.StartsWith(StatePrefix + "/", StringComparison.Ordinal))
            {
                var key = Uri.UnescapeDataString(request.Target[(StatePrefix.Length + 1)..]);
                return _stored.TryGetValue(key, out var value) ? (200, value) : (204, null);
            }

            if (request.Method == "POST" && request.Target == StatePrefix)
            {
                if (_transactionStatus != 204)
                {
                    return (_transactionStatus, RecordingSidecar.DaprError("ERR_ACTOR_INSTANCE_MISSING", "actor instance is missing"));
                }

                foreach (var operation in JsonDocument.Parse(request.Body).RootElement.EnumerateArray())
                {
                    var item = operation.GetProperty("request");
                    var key = item.GetProperty("key").GetString()!;
                    if (operation.GetProperty("operation").GetString() == "upsert")
                    {
                        _stored[key] = item.GetProperty("value").GetRawText();
                    }
                    else
                    {
                        _stored.Remove(key);
                    }
                }

                return (204, null);
            }

            return (404, null);
        }
    }

    private sealed class Loop
    {
        public Loop? Next { get; set; }
    }
}
