using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Data.Sqlite;

namespace Gateway.LocalSidecar.Tests.Actors;

/// <summary>The facts of DAPR-HTTP.md sections 4 and 5, against LocalSidecar with a hand-written actor app.</summary>
public sealed class ActorContract(ActorHostFixture fixture) : IClassFixture<ActorHostFixture>
{
    private readonly ActorHost _host = fixture.Host;

    private static string NewId() => "a" + Guid.NewGuid().ToString("N")[..12];

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Config_IsReadFromTheApp_AndMetadataReportsTheHostAndItsActiveActors()
    {
        var id = NewId();
        using var _ = await _host.Client.PutAsync($"/v1.0/actors/Counter/{id}/method/echo", Json("{}"));

        var metadata = JsonNode.Parse(await _host.Client.GetStringAsync("/v1.0/metadata"))!;

        Assert.Equal("RUNNING", metadata["actorRuntime"]!["runtimeStatus"]!.GetValue<string>());
        Assert.True(metadata["actorRuntime"]!["hostReady"]!.GetValue<bool>());
        var active = metadata["actorRuntime"]!["activeActors"]!.AsArray();
        Assert.Equal(["Counter", "Worker"], active.Select(a => a!["type"]!.GetValue<string>()).Order());
        Assert.True(active.Single(a => a!["type"]!.GetValue<string>() == "Counter")!["count"]!.GetValue<int>() >= 1);
        Assert.Contains("ACTOR", metadata["components"]![0]!["capabilities"]!.AsArray().Select(c => c!.GetValue<string>()));
    }

    [Theory]
    [InlineData("PUT")]
    [InlineData("POST")]
    public async Task Method_PassesTheCallersBodyToTheApp_AndTheAppsAnswerBack_WithItsLength(string verb)
    {
        var id = NewId();
        using var request = new HttpRequestMessage(new HttpMethod(verb), $"/v1.0/actors/Counter/{id}/method/echo") { Content = Json("""{"n":1}""") };

        using var response = await _host.Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("""{"n":1}""", await response.Content.ReadAsStringAsync());
        Assert.Equal(7, response.Content.Headers.ContentLength);
        Assert.NotEqual(true, response.Headers.TransferEncodingChunked);
        Assert.Equal($"Counter/{id}", response.Headers.GetValues("x-actor").Single());
        var call = Assert.Single(_host.App.CallsTo("echo", id));
        Assert.Equal("application/json; charset=utf-8", call.Headers["content-type"]);
    }

    [Theory]
    [InlineData("fail")]
    [InlineData("nocontent")]
    [InlineData("no-such-method")]
    public async Task Method_AnythingButExactly200FromTheApp_Is500ActorInvokeMethod(string method)
    {
        using var response = await _host.Client.PutAsync($"/v1.0/actors/Counter/{NewId()}/method/{method}", Json("{}"));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("ERR_ACTOR_INVOKE_METHOD", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errorCode"]!.GetValue<string>());
    }

    [Fact]
    public async Task Method_FromAnotherAppsSidecar_ReachesTheHostingApp()
    {
        var id = NewId();

        using var response = await _host.CallerClient.PutAsync($"/v1.0/actors/Counter/{id}/method/echo", Json("\"via caller\""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("\"via caller\"", await response.Content.ReadAsStringAsync());
        Assert.Single(_host.App.CallsTo("echo", id));
    }

    [Fact]
    public async Task Method_OfATypeNobodyHosts_Fails()
    {
        using var response = await _host.Client.PutAsync($"/v1.0/actors/Nobody/{NewId()}/method/echo", Json("{}"));

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("ERR_ACTOR_INVOKE_METHOD", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errorCode"]!.GetValue<string>());
    }

    [Fact]
    public async Task Turns_CallsToOneActorNeverOverlap_CallsToDifferentActorsRunInParallel()
    {
        var id = NewId();
        var sameActor = Enumerable.Range(0, 8).Select(_ => _host.CallerClient.PutAsync($"/v1.0/actors/Worker/{id}/method/slow", Json("{}")));
        var responses = await Task.WhenAll(sameActor);
        var perActor = _host.App.MaxOverlapPerActor;

        var otherActors = Enumerable.Range(0, 8).Select(_ => _host.Client.PutAsync($"/v1.0/actors/Worker/{NewId()}/method/slow", Json("{}")));
        responses = [.. responses, .. await Task.WhenAll(otherActors)];

        Assert.All(responses, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        Assert.Equal(1, perActor);
        Assert.True(_host.App.MaxOverlapTotal > 1, $"different actors should run in parallel, max overlap {_host.App.MaxOverlapTotal}");
        var calls = _host.App.CallsTo("slow", id).OrderBy(c => c.Started).ToList();
        for (var i = 1; i < calls.Count; i++)
        {
            Assert.True(calls[i].Started >= calls[i - 1].Finished, "a call started before the previous one finished");
        }
    }

    [Fact]
    public async Task Turns_WaitingCallsAreServedInArrivalOrder()
    {
        var id = NewId();
        var calls = new List<Task<HttpResponseMessage>>();
        for (var i = 0; i < 5; i++)
        {
            calls.Add(_host.Client.PutAsync($"/v1.0/actors/Worker/{id}/method/slow", Json($$"""{"n":{{i}}}""")));
            await Task.Delay(40);
        }

        await Task.WhenAll(calls);

        var order = _host.App.CallsTo("slow", id).OrderBy(c => c.Started).Select(c => JsonNode.Parse(c.Body)!["n"]!.GetValue<int>());
        Assert.Equal([0, 1, 2, 3, 4], order);
    }

    [Fact]
    public async Task State_TransactionAndGet_UnderTheActorKey_WithoutETag()
    {
        var id = NewId();
        using var activated = await _host.Client.PutAsync($"/v1.0/actors/Counter/{id}/method/echo", Json("{}"));
        using var saved = await _host.Client.PostAsync($"/v1.0/actors/Counter/{id}/state", Json("""
            [{"operation":"upsert","request":{"key":"a","value":{"x":1}}},{"operation":"upsert","request":{"key":"b","value":2}}]
            """));
        using var deleted = await _host.Client.PostAsync($"/v1.0/actors/Counter/{id}/state", Json("""[{"operation":"delete","request":{"key":"b"}}]"""));
        using var a = await _host.Client.GetAsync($"/v1.0/actors/Counter/{id}/state/a");
        using var b = await _host.Client.GetAsync($"/v1.0/actors/Counter/{id}/state/b");

        Assert.Equal(HttpStatusCode.NoContent, saved.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.Equal(HttpStatusCode.OK, a.StatusCode);
        Assert.Equal("""{"x":1}""", await a.Content.ReadAsStringAsync());
        Assert.False(a.Headers.Contains("ETag"));
        Assert.Equal(HttpStatusCode.NoContent, b.StatusCode);
        Assert.Equal("""{"x":1}""", StoredValue($"actorhost||Counter||{id}||a"));
    }

    [Fact]
    public async Task State_WriteForAnActorNotActiveInTheSidecar_IsInstanceMissing_ReadIsAllowed()
    {
        var id = NewId();

        using var write = await _host.Client.PostAsync($"/v1.0/actors/Counter/{id}/state", Json("""[{"operation":"upsert","request":{"key":"a","value":1}}]"""));
        using var read = await _host.Client.GetAsync($"/v1.0/actors/Counter/{id}/state/a");

        Assert.Equal(HttpStatusCode.BadRequest, write.StatusCode);
        Assert.Equal("ERR_ACTOR_INSTANCE_MISSING", JsonNode.Parse(await write.Content.ReadAsStringAsync())!["errorCode"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NoContent, read.StatusCode);
    }

    [Fact]
    public async Task State_OnASidecarWhoseAppDoesNotHostTheActor_IsInstanceMissing()
    {
        using var response = await _host.CallerClient.PostAsync($"/v1.0/actors/Counter/{NewId()}/state", Json("""[{"operation":"upsert","request":{"key":"a","value":1}}]"""));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("ERR_ACTOR_INSTANCE_MISSING", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errorCode"]!.GetValue<string>());
    }

    [Fact]
    public async Task Deactivation_AfterTheIdleTimeout_TheAppIsToldAndStateSurvivesIt()
    {
        var id = NewId();
        using var first = await _host.Client.PutAsync($"/v1.0/actors/Counter/{id}/method/increment", Json("{}"));
        Assert.Equal("1", await first.Content.ReadAsStringAsync());

        await WaitUntilAsync(() => _host.App.CallsTo("deactivate", id).Count == 1, TimeSpan.FromSeconds(10));
        using var second = await _host.Client.PutAsync($"/v1.0/actors/Counter/{id}/method/increment", Json("{}"));

        Assert.Equal("2", await second.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Reminder_FiresOnSchedule_RepeatsPerPeriod_AndCanBeReadAndDeleted()
    {
        var id = NewId();
        // Taken before the request: the sidecar registers the reminder after this instant, so no firing may come sooner than dueTime after it.
        var beforeRegistering = DateTimeOffset.UtcNow;
        using var created = await _host.Client.PostAsync($"/v1.0/actors/Counter/{id}/reminders/tick", Json("""{"dueTime":"0h0m1s0ms","period":"PT1S","data":{"hello":"world"}}"""));
        using var read = await _host.Client.GetAsync($"/v1.0/actors/Counter/{id}/reminders/tick");

        await WaitUntilAsync(() => _host.App.CallsTo("remind/tick", id).Count >= 3, TimeSpan.FromSeconds(15));
        using var deleted = await _host.Client.DeleteAsync($"/v1.0/actors/Counter/{id}/reminders/tick");
        var firedBeforeDelete = _host.App.CallsTo("remind/tick", id).Count;
        await Task.Delay(2500);
        using var gone = await _host.Client.GetAsync($"/v1.0/actors/Counter/{id}/reminders/tick");

        Assert.Equal(HttpStatusCode.NoContent, created.StatusCode);
        var reminder = JsonNode.Parse(await read.Content.ReadAsStringAsync())!;
        Assert.Equal("0h0m1s0ms", reminder["dueTime"]!.GetValue<string>());
        Assert.Equal("PT1S", reminder["period"]!.GetValue<string>());
        Assert.Equal("world", reminder["data"]!["hello"]!.GetValue<string>());
        var fired = _host.App.CallsTo("remind/tick", id).OrderBy(c => c.Started).ToList();
        // Lower bounds only (a loaded machine may deliver late, never early); 20 ms of slack for the two processes' clock reads.
        Assert.True(fired[0].Started - beforeRegistering >= TimeSpan.FromMilliseconds(980), "fired before its dueTime");
        Assert.True(fired[2].Started - beforeRegistering >= TimeSpan.FromMilliseconds(2980), "fired more often than its period");
        var body = JsonNode.Parse(fired[0].Body)!;
        Assert.Equal("world", body["data"]!["hello"]!.GetValue<string>());
        Assert.Equal("0h0m1s0ms", body["dueTime"]!.GetValue<string>());
        Assert.Equal("PT1S", body["period"]!.GetValue<string>());
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        Assert.True(_host.App.CallsTo("remind/tick", id).Count <= firedBeforeDelete + 1);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        Assert.Equal("ERR_ACTOR_REMINDER_NOT_FOUND", JsonNode.Parse(await gone.Content.ReadAsStringAsync())!["errorCode"]!.GetValue<string>());
    }

    [Fact]
    public async Task Reminder_WithRepetitions_FiresExactlyThatOften()
    {
        var id = NewId();
        using var created = await _host.Client.PostAsync($"/v1.0/actors/Counter/{id}/reminders/twice", Json("""{"dueTime":"0s","period":"R2/PT1S"}"""));

        await WaitUntilAsync(() => _host.App.CallsTo("remind/twice", id).Count >= 2, TimeSpan.FromSeconds(10));
        await Task.Delay(2000);

        Assert.Equal(2, _host.App.CallsTo("remind/twice", id).Count);
    }

    [Fact]
    public async Task Reminder_CancelledByTheAppsHeader_DoesNotFireAgain()
    {
        var id = NewId();
        using var created = await _host.Client.PostAsync($"/v1.0/actors/Counter/{id}/reminders/cancel-me", Json("""{"dueTime":"0s","period":"1s"}"""));

        await WaitUntilAsync(() => _host.App.CallsTo("remind/cancel-me", id).Count >= 1, TimeSpan.FromSeconds(10));
        await Task.Delay(2500);
        using var gone = await _host.Client.GetAsync($"/v1.0/actors/Counter/{id}/reminders/cancel-me");

        Assert.Single(_host.App.CallsTo("remind/cancel-me", id));
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task Reminder_OnATypeThisAppDoesNotHost_IsForbidden()
    {
        using var response = await _host.CallerClient.PostAsync($"/v1.0/actors/Counter/{NewId()}/reminders/r", Json("""{"dueTime":"1s"}"""));

        Assert.Equal(HttpStatusCode.Forbidden, response.StatusCode);
        Assert.Equal("ERR_ACTOR_REMINDER_NON_HOSTED", JsonNode.Parse(await response.Content.ReadAsStringAsync())!["errorCode"]!.GetValue<string>());
    }

    [Fact]
    public async Task Timer_FiresWithItsCallback_AndStopsWhenDeleted()
    {
        var id = NewId();
        using var activate = await _host.Client.PutAsync($"/v1.0/actors/Counter/{id}/method/echo", Json("{}"));
        using var created = await _host.Client.PostAsync($"/v1.0/actors/Counter/{id}/timers/beat", Json("""{"dueTime":"PT0S","period":"500ms","callback":"onBeat","data":"x"}"""));

        await WaitUntilAsync(() => _host.App.CallsTo("timer/beat", id).Count >= 2, TimeSpan.FromSeconds(10));
        using var deleted = await _host.Client.DeleteAsync($"/v1.0/actors/Counter/{id}/timers/beat");
        var count = _host.App.CallsTo("timer/beat", id).Count;
        await Task.Delay(1500);

        Assert.Equal(HttpStatusCode.NoContent, created.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        var body = JsonNode.Parse(_host.App.CallsTo("timer/beat", id)[0].Body)!;
        Assert.Equal("onBeat", body["callback"]!.GetValue<string>());
        Assert.Equal("x", body["data"]!.GetValue<string>());
        Assert.Equal("500ms", body["period"]!.GetValue<string>());
        Assert.True(_host.App.CallsTo("timer/beat", id).Count <= count + 1);
    }

    [Fact]
    public async Task Timer_AndReminder_TakeTheActorsTurnLikeMethods()
    {
        var id = NewId();
        using var created = await _host.Client.PostAsync($"/v1.0/actors/Worker/{id}/reminders/r", Json("""{"dueTime":"0s","period":"200ms"}"""));
        var work = Enumerable.Range(0, 6).Select(_ => _host.Client.PutAsync($"/v1.0/actors/Worker/{id}/method/slow", Json("{}")));
        await Task.WhenAll(work);
        using var deleted = await _host.Client.DeleteAsync($"/v1.0/actors/Worker/{id}/reminders/r");

        var calls = _host.App.Calls.Where(c => c.Id == id).OrderBy(c => c.Started).ToList();
        Assert.Contains(calls, c => c.Method == "remind/r");
        for (var i = 1; i < calls.Count; i++)
        {
            Assert.True(calls[i].Started >= calls[i - 1].Finished, $"{calls[i].Method} overlapped {calls[i - 1].Method}");
        }
    }

    private string StoredValue(string key)
    {
        using var connection = new SqliteConnection($"Data Source={_host.Database};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT value FROM state WHERE key = $key";
        command.Parameters.AddWithValue("$key", key);
        return command.ExecuteScalar() as string ?? throw new InvalidOperationException($"no row for {key}");
    }

    internal static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("condition not met in time");
            }

            await Task.Delay(50);
        }
    }
}

/// <summary>Actor facts that need the host's sidecar restarted: each test owns its host.</summary>
public sealed class ActorRestartTests : IAsyncLifetime
{
    private ActorHost _host = null!;

    public async Task InitializeAsync() => _host = await ActorHost.StartAsync();

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private static string NewId() => "a" + Guid.NewGuid().ToString("N")[..12];

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout) => ActorContract.WaitUntilAsync(condition, timeout);

    [Fact]
    public async Task State_SurvivesASidecarRestart()
    {
        var id = NewId();
        using var first = await _host.Client.PutAsync($"/v1.0/actors/Counter/{id}/method/increment", Json("{}"));
        Assert.Equal("1", await first.Content.ReadAsStringAsync());

        await _host.StopSidecarAsync();
        await _host.StartSidecarAsync();
        using var second = await _host.Client.PutAsync($"/v1.0/actors/Counter/{id}/method/increment", Json("{}"));

        Assert.Equal("2", await second.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Reminder_SurvivesASidecarRestart()
    {
        var id = NewId();
        using var created = await _host.Client.PostAsync($"/v1.0/actors/Counter/{id}/reminders/later", Json("""{"dueTime":"4s"}"""));
        Assert.Equal(HttpStatusCode.NoContent, created.StatusCode);

        await _host.StopSidecarAsync();
        await _host.StartSidecarAsync();

        await WaitUntilAsync(() => _host.App.CallsTo("remind/later", id).Count == 1, TimeSpan.FromSeconds(15));
    }
}

/// <summary>One actor host shared by the tests of a class; every test uses its own actor ids.</summary>
public sealed class ActorHostFixture : IAsyncLifetime
{
    public ActorHost Host { get; private set; } = null!;

    public async Task InitializeAsync() => Host = await ActorHost.StartAsync();

    public async Task DisposeAsync() => await Host.DisposeAsync();
}
