using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Gateway.ServiceDefaults.Dapr;
using Gateway.ServiceDefaults.Tests.Actors.Support;

namespace Gateway.ServiceDefaults.Tests.Actors;

/// <summary>
/// The whole path: callers go through a real LocalSidecar (DAPR-HTTP.md section 4), which calls
/// the test app (section 5), whose state goes back through the sidecar into SQLite.
/// </summary>
public sealed class ActorSidecarPathTests(ActorSidecarFixture fixture) : IClassFixture<ActorSidecarFixture>
{
    private ActorTestApp App => fixture.App;

    [Fact]
    public async Task Increment_ThroughTheSidecar_AnswersTheResult_AndPersistsTheState()
    {
        var id = ActorIds.New();

        using var first = await InvokeAsync(id, "increment", """{"by":2}""");
        using var second = await InvokeAsync(id, "increment", """{"by":3}""");
        using var stored = await fixture.SidecarHttp.GetAsync($"/v1.0/actors/Counter/{id}/state/count");

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal("2", await first.Content.ReadAsStringAsync());
        Assert.Equal("5", await second.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
        Assert.Equal("5", await stored.Content.ReadAsStringAsync());
        Assert.Single(App.Probe.Events, $"activate:{id}");
    }

    [Fact]
    public async Task Deactivation_ThenNextCall_ReactivatesAndReadsTheStateBack()
    {
        var id = ActorIds.New();
        using var increment = await InvokeAsync(id, "increment", """{"by":4}""");

        // As daprd does when the actor idles out or moves.
        using var deactivate = await App.Http.DeleteAsync($"/actors/Counter/{id}");
        using var get = await InvokeAsync(id, "get");

        Assert.Equal(HttpStatusCode.OK, deactivate.StatusCode);
        Assert.Equal("4", await get.Content.ReadAsStringAsync());
        Assert.Equal([$"activate:{id}", $"deactivate:{id}", $"activate:{id}"], App.Probe.Events.Where(e => e.EndsWith(id, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task MethodThatThrows_ThroughTheSidecar_Is500ErrActorInvokeMethod_WithoutDetails_AndNothingIsStored()
    {
        var id = ActorIds.New();
        using var increment = await InvokeAsync(id, "increment", """{"by":1}""");

        using var failed = await InvokeAsync(id, "incrementThenFail", """{"by":10}""");
        using var stored = await fixture.SidecarHttp.GetAsync($"/v1.0/actors/Counter/{id}/state/count");
        using var get = await InvokeAsync(id, "get");

        Assert.Equal(HttpStatusCode.InternalServerError, failed.StatusCode);
        var error = await failed.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("ERR_ACTOR_INVOKE_METHOD", error.GetProperty("errorCode").GetString());
        Assert.DoesNotContain("secret", error.GetProperty("message").GetString(), StringComparison.OrdinalIgnoreCase);
        Assert.Equal("1", await stored.Content.ReadAsStringAsync());
        Assert.Equal("1", await get.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task UnknownMethod_ThroughTheSidecar_Is500ErrActorInvokeMethod()
    {
        var id = ActorIds.New();

        using var response = await InvokeAsync(id, "noSuchMethod");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal("ERR_ACTOR_INVOKE_METHOD", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errorCode").GetString());
    }

    [Fact]
    public async Task Reminder_ThroughTheSidecar_FiresUntilTheActorCancelsIt()
    {
        var id = ActorIds.New();

        using var register = await InvokeAsync(id, "remindMe", """{"dueTime":"00:00:00.100","period":"00:00:00.200","cancelAfter":2}""");
        await App.Probe.WaitForAsync($"remind:{id}:nudge:200ms", times: 2);
        await Task.Delay(700);
        using var reminder = await fixture.SidecarHttp.GetAsync($"/v1.0/actors/Counter/{id}/reminders/nudge");
        using var fired = await fixture.SidecarHttp.GetAsync($"/v1.0/actors/Counter/{id}/state/reminders");

        Assert.Equal(HttpStatusCode.OK, register.StatusCode);
        Assert.Equal(2, App.Probe.Count($"remind:{id}:nudge:200ms"));
        Assert.Equal(HttpStatusCode.NotFound, reminder.StatusCode);
        Assert.Equal("2", await fired.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Reminder_Registered_IsStoredAsSentWithItsData()
    {
        var id = ActorIds.New();

        using var register = await InvokeAsync(id, "remindMe", """{"dueTime":"01:00:00","period":"02:00:00","cancelAfter":1}""");
        using var reminder = await fixture.SidecarHttp.GetAsync($"/v1.0/actors/Counter/{id}/reminders/nudge");
        using var forget = await InvokeAsync(id, "forgetReminder");
        using var gone = await fixture.SidecarHttp.GetAsync($"/v1.0/actors/Counter/{id}/reminders/nudge");

        Assert.Equal(HttpStatusCode.OK, reminder.StatusCode);
        var body = await reminder.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal("1h0m0s", body.GetProperty("dueTime").GetString());
        Assert.Equal("2h0m0s", body.GetProperty("period").GetString());
        Assert.Equal(1, body.GetProperty("data").GetProperty("cancelAfter").GetInt32());
        Assert.Equal(HttpStatusCode.OK, forget.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
    }

    [Fact]
    public async Task Timer_ThroughTheSidecar_CallsTheCallback()
    {
        var id = ActorIds.New();

        using var start = await InvokeAsync(id, "startTicking", """{"dueTime":"00:00:00.050","period":"00:00:00.150","stopAfter":100}""");
        await App.Probe.WaitForAsync($"tick:{id}", times: 3);
        using var deactivate = await App.Http.DeleteAsync($"/actors/Counter/{id}");

        Assert.Equal(HttpStatusCode.OK, start.StatusCode);
    }

    [Fact]
    public async Task Timer_CallbackUnregistersItsOwnTimer_StopsAfterThatTick_AndItsStateIsStored()
    {
        var id = ActorIds.New();

        using var start = await InvokeAsync(id, "startTicking", """{"dueTime":"00:00:00.050","period":"00:00:00.100","stopAfter":2}""");
        await App.Probe.WaitForAsync($"tick:{id}", times: 2);
        await Task.Delay(500);
        using var ticks = await fixture.SidecarHttp.GetAsync($"/v1.0/actors/Counter/{id}/state/ticks");

        Assert.Equal(2, App.Probe.Count($"tick:{id}"));
        Assert.Equal("2", await ticks.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task ActorClient_CallsThroughItsOwnSidecar_AndReadsTypedResults()
    {
        var id = ActorIds.New();

        var count = await App.ActorClient.InvokeAsync<long>("Counter", id, "increment", new IncrementRequest(6));
        var again = await App.ActorClient.InvokeAsync<long>("Counter", id, "get");
        await App.ActorClient.InvokeAsync("Counter", id, "nothing");
        var error = await Assert.ThrowsAsync<DaprApiException>(() => App.ActorClient.InvokeAsync<long>("Counter", id, "incrementThenFail", new IncrementRequest(1)));

        Assert.Equal(6, count);
        Assert.Equal(6, again);
        Assert.Equal(HttpStatusCode.InternalServerError, error.StatusCode);
        Assert.Equal("ERR_ACTOR_INVOKE_METHOD", error.ErrorCode);
        Assert.DoesNotContain("secret", error.Message, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task Reentrancy_CallChainBackIntoTheCaller_CompletesInsteadOfDeadlocking()
    {
        var (a, b) = (ActorIds.New("a"), ActorIds.New("b"));

        using var response = await InvokeAsync(a, "bounce", $"\"{b}\"").WaitAsync(TimeSpan.FromSeconds(20));

        // A incremented itself before the chain came back; B read it through A's open turn.
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("1", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task DirectCall_ToAnActorTheSidecarActivated_CommitsBeforeAnswering()
    {
        var id = ActorIds.New();
        using var activate = await InvokeAsync(id, "get");

        using var response = await App.Http.PutAsync($"/actors/Counter/{id}/method/increment", new StringContent("""{"by":5}""", Encoding.UTF8, "application/json"));
        using var stored = await fixture.SidecarHttp.GetAsync($"/v1.0/actors/Counter/{id}/state/count");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("5", await response.Content.ReadAsStringAsync());
        Assert.Equal("5", await stored.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task DirectCall_ToAnActorTheSidecarNeverActivated_FailsToCommit_With500()
    {
        var id = ActorIds.New();

        // daprd only writes state of actors active in its table (ERR_ACTOR_INSTANCE_MISSING).
        using var response = await App.Http.PutAsync($"/actors/Counter/{id}/method/increment", new StringContent("""{"by":5}""", Encoding.UTF8, "application/json"));
        using var stored = await fixture.SidecarHttp.GetAsync($"/v1.0/actors/Counter/{id}/state/count");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, stored.StatusCode);
    }

    private Task<HttpResponseMessage> InvokeAsync(string id, string method, string? body = null)
    {
        var content = body is null ? null : new StringContent(body, Encoding.UTF8, "application/json");
        return fixture.SidecarHttp.PutAsync($"/v1.0/actors/Counter/{id}/method/{method}", content);
    }
}
