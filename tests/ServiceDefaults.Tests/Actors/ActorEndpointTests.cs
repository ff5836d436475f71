using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Gateway.ServiceDefaults.Actors;
using Gateway.ServiceDefaults.Tests.Actors.Support;

namespace Gateway.ServiceDefaults.Tests.Actors;

/// <summary>
/// DAPR-HTTP.md section 5, the app side: the test app called directly, exactly as daprd calls it.
/// The sidecar behind it is a recording stand-in whose state is always empty, so every call the
/// app makes to it can be checked.
/// </summary>
public sealed class ActorEndpointTests : IAsyncLifetime
{
    private RecordingSidecar _sidecar = null!;
    private ActorTestApp _app = null!;

    public async Task InitializeAsync()
    {
        _sidecar = await RecordingSidecar.StartAsync(request => request.Method switch
        {
            "GET" => (204, null),
            "POST" => (204, null),
            _ => (500, RecordingSidecar.DaprError("ERR_UNEXPECTED")),
        });
        _app = await ActorTestApp.StartAsync(_sidecar.Endpoint);
    }

    public async Task DisposeAsync()
    {
        await _app.DisposeAsync();
        await _sidecar.DisposeAsync();
    }

    [Fact]
    public async Task DaprConfig_Defaults_AreDaprdsDefaultsAsGoDurations()
    {
        using var response = await _app.Http.GetAsync("/dapr/config");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(
            """{"entities":["Counter"],"actorIdleTimeout":"1h0m0s","actorScanInterval":"30s","drainOngoingCallTimeout":"1m0s","drainRebalancedActors":true,"reentrancy":{"enabled":false,"maxStackDepth":32}}""",
            await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public void DaprConfig_Configured_WritesTheSettings()
    {
        var options = new ActorRuntimeOptions
        {
            ActorIdleTimeout = TimeSpan.FromMinutes(5),
            ActorScanInterval = TimeSpan.FromSeconds(1.5),
            DrainOngoingCallTimeout = TimeSpan.FromMilliseconds(500),
            DrainRebalancedActors = false,
            Reentrancy = new ActorReentrancyOptions { Enabled = true, MaxStackDepth = 8 },
        }.RegisterActor<CounterActor>("Counter").RegisterActor<CounterActor>("Other");

        var body = Encoding.UTF8.GetString(ActorsEndpointRouteBuilderExtensions.DaprConfig(options));

        Assert.Equal(
            """{"entities":["Counter","Other"],"actorIdleTimeout":"5m0s","actorScanInterval":"1.5s","drainOngoingCallTimeout":"500ms","drainRebalancedActors":false,"reentrancy":{"enabled":true,"maxStackDepth":8}}""",
            body);
    }

    [Fact]
    public async Task Method_WithResult_AnswersExactly200WithJson()
    {
        var id = ActorIds.New();

        using var response = await PutAsync($"/actors/Counter/{id}/method/whoami");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal($"\"Counter/{id}\"", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Method_ReturningTask_AnswersExactly200WithEmptyBody()
    {
        var id = ActorIds.New();

        using var response = await PutAsync($"/actors/Counter/{id}/method/nothing");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(0, response.Content.Headers.ContentLength);
        Assert.Equal([$"activate:{id}", $"nothing:{id}"], _app.Probe.Events.Where(e => e.EndsWith(id, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Method_WithArgument_ReadsTheCallersJsonBody_AndCommitsOneTransaction()
    {
        var id = ActorIds.New();

        using var response = await PutAsync($"/actors/Counter/{id}/method/increment", """{"by":5}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("5", await response.Content.ReadAsStringAsync());
        Assert.Equal(
            [$"GET /v1.0/actors/Counter/{id}/state/count", $"POST /v1.0/actors/Counter/{id}/state"],
            SidecarCallsFor(id).Select(r => r.Line));
        Assert.Equal("""[{"operation":"upsert","request":{"key":"count","value":5}}]""", SidecarCallsFor(id)[1].Body);
    }

    [Theory]
    [InlineData("/actors/Counter/{id}/method/noSuchMethod", "urn:gateway:problem:not-found")]
    [InlineData("/actors/Counter/{id}/method/Increment", "urn:gateway:problem:not-found")]
    [InlineData("/actors/Counter/{id}/method/IncrementAsync", "urn:gateway:problem:not-found")]
    [InlineData("/actors/NoSuchType/{id}/method/increment", "urn:gateway:problem:not-found")]
    public async Task Method_UnknownTypeOrMethod_Answers404Problem_WithoutActivating(string path, string problemType)
    {
        var id = ActorIds.New();

        using var response = await PutAsync(path.Replace("{id}", id, StringComparison.Ordinal), """{"by":1}""");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(problemType, (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());
        Assert.DoesNotContain($"activate:{id}", _app.Probe.Events);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("null")]
    [InlineData("\"a string\"")]
    public async Task Method_BodyThatIsNotTheArgument_Answers400Problem(string body)
    {
        var id = ActorIds.New();

        using var response = await PutAsync($"/actors/Counter/{id}/method/increment", body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Empty(SidecarCallsFor(id));
    }

    [Fact]
    public async Task Method_Throws_Answers500ProblemWithoutDetails_AndCommitsNothing()
    {
        var id = ActorIds.New();

        using var response = await PutAsync($"/actors/Counter/{id}/method/incrementThenFail", """{"by":3}""");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var body = await response.Content.ReadAsStringAsync();
        Assert.DoesNotContain("secret", body, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("InvalidOperationException", body, StringComparison.Ordinal);
        Assert.DoesNotContain(" at ", body, StringComparison.Ordinal);
        Assert.Equal("urn:gateway:problem:internal", JsonDocument.Parse(body).RootElement.GetProperty("type").GetString());
        Assert.DoesNotContain(SidecarCallsFor(id), r => r.Method == "POST");
    }

    [Fact]
    public async Task Method_ThrowsAfterChangingState_RollsTheCacheBack()
    {
        var id = ActorIds.New();
        using var failed = await PutAsync($"/actors/Counter/{id}/method/incrementThenFail", """{"by":3}""");

        using var get = await PutAsync($"/actors/Counter/{id}/method/get");

        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.Equal("0", await get.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Deactivate_Active_RunsOnDeactivate_Answers200_AndTheNextCallActivatesAgain()
    {
        var id = ActorIds.New();
        using var first = await PutAsync($"/actors/Counter/{id}/method/nothing");

        using var deactivate = await _app.Http.DeleteAsync($"/actors/Counter/{id}");
        var activeAfter = _app.Runtime.CountActive(CounterActor.TypeName);
        using var second = await PutAsync($"/actors/Counter/{id}/method/nothing");

        Assert.Equal(HttpStatusCode.OK, deactivate.StatusCode);
        Assert.Equal(
            [$"activate:{id}", $"nothing:{id}", $"deactivate:{id}", $"activate:{id}", $"nothing:{id}"],
            _app.Probe.Events.Where(e => e.EndsWith(id, StringComparison.Ordinal)));
        Assert.Equal(0, activeAfter);
    }

    [Fact]
    public async Task Deactivate_WhileACallHoldsTheTurn_WaitsForIt()
    {
        var id = ActorIds.New();
        var gate = $"{id}-gate";
        var held = PutAsync($"/actors/Counter/{id}/method/hold", $"\"{gate}\"");
        await _app.Probe.WaitForAsync($"enter:{id}:1");

        var deactivate = _app.Http.DeleteAsync($"/actors/Counter/{id}");
        await Task.Delay(200);
        var deactivatedEarly = deactivate.IsCompleted;
        _app.Probe.Open(gate);
        using var heldAnswer = await held;
        using var deactivated = await deactivate;

        Assert.False(deactivatedEarly);
        Assert.Equal(HttpStatusCode.OK, heldAnswer.StatusCode);
        Assert.Equal(HttpStatusCode.OK, deactivated.StatusCode);
        Assert.Equal($"deactivate:{id}", _app.Probe.Events.Last(e => e.EndsWith(id, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Activation_Throws_Answers500_AndTheNextCallTriesAgain()
    {
        await using var app = await ActorTestApp.StartAsync(_sidecar.Endpoint, o => o.RegisterActor<FlakyActor>("Flaky"));
        var id = ActorIds.New();

        using var first = await Put(app, $"/actors/Flaky/{id}/method/PingAsync", null, null);
        using var second = await Put(app, $"/actors/Flaky/{id}/method/PingAsync", null, null);

        Assert.Equal(HttpStatusCode.InternalServerError, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("2", await second.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Deactivate_NotActive_Answers200()
    {
        var id = ActorIds.New();

        using var response = await _app.Http.DeleteAsync($"/actors/Counter/{id}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain($"deactivate:{id}", _app.Probe.Events);
    }

    [Fact]
    public async Task Reminder_ActorAsksToCancel_AnswersWithReminderCancelHeader()
    {
        var id = ActorIds.New();
        const string Body = """{"data":{"dueTime":"00:00:00","period":"00:00:01","cancelAfter":2},"dueTime":"0s","period":"1s"}""";

        using var first = await PutAsync($"/actors/Counter/{id}/method/remind/nudge", Body);
        using var second = await PutAsync($"/actors/Counter/{id}/method/remind/nudge", Body);

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.False(first.Headers.Contains("X-DaprReminderCancel"));
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal("true", Assert.Single(second.Headers.GetValues("X-DaprReminderCancel")));
        Assert.Equal(2, _app.Probe.Count($"remind:{id}:nudge:1s"));
    }

    [Fact]
    public async Task Reminder_WithoutData_IsDelivered()
    {
        var id = ActorIds.New();

        using var response = await PutAsync($"/actors/Counter/{id}/method/remind/other", """{"dueTime":"0s","period":""}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains($"remind:{id}:other:", _app.Probe.Events);
    }

    [Fact]
    public async Task Timer_CallsTheNamedCallbackWithItsData()
    {
        var id = ActorIds.New();

        using var response = await PutAsync($"/actors/Counter/{id}/method/timer/tick", """{"callback":"OnTickAsync","data":{"dueTime":"00:00:00","period":null,"stopAfter":5},"dueTime":"0s","period":"1s"}""");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains($"tick:{id}", _app.Probe.Events);
        Assert.Equal("""[{"operation":"upsert","request":{"key":"ticks","value":1}}]""", Assert.Single(SidecarCallsFor(id), r => r.Method == "POST").Body);
    }

    [Theory]
    [InlineData("""{"callback":"NoSuchCallback","dueTime":"0s","period":"1s"}""", HttpStatusCode.NotFound)]
    [InlineData("""{"dueTime":"0s","period":"1s"}""", HttpStatusCode.NotFound)]
    [InlineData("""{"callback":"OnTickAsync","dueTime":"0s","period":"1s"}""", HttpStatusCode.BadRequest)]
    [InlineData("""[]""", HttpStatusCode.BadRequest)]
    public async Task Timer_UnknownCallbackOrMissingData_IsRefused(string body, HttpStatusCode expected)
    {
        var id = ActorIds.New();

        using var response = await PutAsync($"/actors/Counter/{id}/method/timer/tick", body);

        Assert.Equal(expected, response.StatusCode);
        Assert.DoesNotContain($"tick:{id}", _app.Probe.Events);
    }

    [Fact]
    public async Task Turns_SameId_RunOneAtATime()
    {
        var id = ActorIds.New();
        var (first, second) = ($"{id}-g1", $"{id}-g2");

        var held = PutAsync($"/actors/Counter/{id}/method/hold", $"\"{first}\"");
        await _app.Probe.WaitForAsync($"enter:{id}:1");
        var queued = PutAsync($"/actors/Counter/{id}/method/hold", $"\"{second}\"");
        _app.Probe.Open(second);
        await Task.Delay(200);
        var secondRanEarly = _app.Probe.Count($"enter:{id}:1") > 1;
        _app.Probe.Open(first);
        using var firstAnswer = await held;
        using var secondAnswer = await queued;

        Assert.False(secondRanEarly);
        Assert.Equal(HttpStatusCode.OK, firstAnswer.StatusCode);
        Assert.Equal(HttpStatusCode.OK, secondAnswer.StatusCode);
        Assert.DoesNotContain($"enter:{id}:2", _app.Probe.Events);
    }

    [Fact]
    public async Task Turns_DifferentIds_RunInParallel()
    {
        var (a, b) = (ActorIds.New(), ActorIds.New());
        var gate = $"{a}-gate";

        var first = PutAsync($"/actors/Counter/{a}/method/hold", $"\"{gate}\"");
        var second = PutAsync($"/actors/Counter/{b}/method/hold", $"\"{gate}\"");
        await _app.Probe.WaitForAsync($"enter:{a}:1");
        await _app.Probe.WaitForAsync($"enter:{b}:1");
        _app.Probe.Open(gate);
        using var firstAnswer = await first;
        using var secondAnswer = await second;

        Assert.Equal(HttpStatusCode.OK, firstAnswer.StatusCode);
        Assert.Equal(HttpStatusCode.OK, secondAnswer.StatusCode);
    }

    [Fact]
    public async Task Reentrancy_Disabled_SameReentrancyIdStillWaitsForTheTurn()
    {
        var id = ActorIds.New();
        var gate = $"{id}-gate";
        var held = PutAsync($"/actors/Counter/{id}/method/hold", $"\"{gate}\"", reentrancyId: "chain-1");
        await _app.Probe.WaitForAsync($"enter:{id}:1");

        var nested = PutAsync($"/actors/Counter/{id}/method/nothing", reentrancyId: "chain-1");
        await Task.Delay(200);
        var nestedRanEarly = nested.IsCompleted;
        _app.Probe.Open(gate);
        using var heldAnswer = await held;
        using var nestedAnswer = await nested;

        Assert.False(nestedRanEarly);
        Assert.Equal(HttpStatusCode.OK, nestedAnswer.StatusCode);
    }

    [Fact]
    public async Task Reentrancy_Enabled_SameReentrancyIdJoinsTheHeldTurn_OthersWait()
    {
        await using var app = await ActorTestApp.StartAsync(_sidecar.Endpoint, o => o.Reentrancy = new ActorReentrancyOptions { Enabled = true });
        var id = ActorIds.New();
        var gate = $"{id}-gate";
        var held = Put(app, $"/actors/Counter/{id}/method/hold", $"\"{gate}\"", "chain-1");
        await app.Probe.WaitForAsync($"enter:{id}:1");

        using var nested = await Put(app, $"/actors/Counter/{id}/method/nothing", null, "chain-1").WaitAsync(TimeSpan.FromSeconds(10));
        var other = Put(app, $"/actors/Counter/{id}/method/whoami", null, "chain-2");
        await Task.Delay(200);
        var otherRanEarly = other.IsCompleted;
        app.Probe.Open(gate);
        using var heldAnswer = await held;
        using var otherAnswer = await other;

        Assert.Equal(HttpStatusCode.OK, nested.StatusCode);
        Assert.False(otherRanEarly);
        Assert.Equal(HttpStatusCode.OK, heldAnswer.StatusCode);
        Assert.Equal(HttpStatusCode.OK, otherAnswer.StatusCode);
    }

    [Fact]
    public async Task Reentrancy_BeyondMaxStackDepth_Answers500()
    {
        await using var app = await ActorTestApp.StartAsync(_sidecar.Endpoint, o => o.Reentrancy = new ActorReentrancyOptions { Enabled = true, MaxStackDepth = 1 });
        var id = ActorIds.New();
        var gate = $"{id}-gate";
        var held = Put(app, $"/actors/Counter/{id}/method/hold", $"\"{gate}\"", "chain-1");
        await app.Probe.WaitForAsync($"enter:{id}:1");

        using var nested = await Put(app, $"/actors/Counter/{id}/method/nothing", null, "chain-1").WaitAsync(TimeSpan.FromSeconds(10));
        app.Probe.Open(gate);
        using var heldAnswer = await held;

        Assert.Equal(HttpStatusCode.InternalServerError, nested.StatusCode);
        Assert.Equal(HttpStatusCode.OK, heldAnswer.StatusCode);
    }

    [Fact]
    public async Task AppApiToken_Set_CallsWithoutItAreRefused()
    {
        await using var app = await ActorTestApp.StartAsync(_sidecar.Endpoint, appApiToken: "app-secret");
        var id = ActorIds.New();

        using var without = await Put(app, $"/actors/Counter/{id}/method/whoami", null, null);
        using var request = new HttpRequestMessage(HttpMethod.Put, $"/actors/Counter/{id}/method/whoami");
        request.Headers.Add("dapr-api-token", "app-secret");
        using var with = await app.Http.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, without.StatusCode);
        Assert.Equal(HttpStatusCode.OK, with.StatusCode);
    }

    [Fact]
    public async Task Telemetry_MethodCall_IsOneSpanTaggedWithTypeIdAndMethod()
    {
        var id = ActorIds.New();
        var spans = new List<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == "Gateway.Actors",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity =>
            {
                if (Equals(activity.GetTagItem("actor.id"), id))
                {
                    lock (spans)
                    {
                        spans.Add(activity);
                    }
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        using var ok = await PutAsync($"/actors/Counter/{id}/method/increment", """{"by":7}""");
        using var failed = await PutAsync($"/actors/Counter/{id}/method/incrementThenFail", """{"by":7}""");

        Assert.Equal(["Actor Counter.increment", "Actor Counter.incrementThenFail"], spans.Select(s => s.DisplayName));
        Assert.Equal("Counter", spans[0].GetTagItem("actor.type"));
        Assert.Equal("method", spans[0].GetTagItem("actor.call"));
        Assert.Equal(ActivityStatusCode.Unset, spans[0].Status);
        Assert.Equal(ActivityStatusCode.Error, spans[1].Status);
        Assert.DoesNotContain(spans.SelectMany(s => s.TagObjects), t => Equals(t.Value, 7) || Equals(t.Value, "7") || Equals(t.Value, 14L));
    }

    /// <summary>Fails its first activation per id, then counts its activations.</summary>
    public sealed class FlakyActor(ActorHost host, ActorProbe probe) : Actor(host)
    {
        public Task<int> PingAsync() => Task.FromResult(probe.Count($"flaky:{ActorId}"));

        protected override Task OnActivateAsync(CancellationToken cancellationToken)
        {
            probe.Record($"flaky:{ActorId}");
            return probe.Count($"flaky:{ActorId}") == 1
                ? throw new InvalidOperationException("first activation fails")
                : Task.CompletedTask;
        }
    }

    private Task<HttpResponseMessage> PutAsync(string path, string? body = null, string? reentrancyId = null) => Put(_app, path, body, reentrancyId);

    private static Task<HttpResponseMessage> Put(ActorTestApp app, string path, string? body, string? reentrancyId)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }

        if (reentrancyId is not null)
        {
            request.Headers.Add("Dapr-Reentrancy-Id", reentrancyId);
        }

        return SendAndDisposeRequestAsync(app, request);
    }

    private static async Task<HttpResponseMessage> SendAndDisposeRequestAsync(ActorTestApp app, HttpRequestMessage request)
    {
        using (request)
        {
            return await app.Http.SendAsync(request);
        }
    }

    private List<RecordedRequest> SidecarCallsFor(string id) =>
        [.. _sidecar.Requests.Where(r => r.Target.Contains($"/{id}/", StringComparison.Ordinal) || r.Target.EndsWith($"/{id}", StringComparison.Ordinal))];
}
