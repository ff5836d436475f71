using Gateway.ServiceDefaults.Actors;
using Gateway.ServiceDefaults.Dapr;
using Gateway.ServiceDefaults.Tests.Actors.Support;

namespace Gateway.ServiceDefaults.Tests.Actors;

/// <summary>Reminders and timers registered from inside an actor, on the wire (DAPR-HTTP.md section 4).</summary>
public sealed class ActorScheduleTests : IAsyncLifetime
{
    private RecordingSidecar _sidecar = null!;
    private TestActorSidecar _api = null!;

    public sealed record Nudge(string Reason);

    public sealed class ScheduleActor(ActorHost host) : Actor(host)
    {
        internal Task RemindAsync(string name, object? data, TimeSpan dueTime, TimeSpan? period, TimeSpan? ttl) =>
            RegisterReminderAsync(name, data, dueTime, period, ttl);

        internal Task ForgetAsync(string name) => UnregisterReminderAsync(name);

        internal Task TickAsync(string name, string callback, object? data, TimeSpan dueTime, TimeSpan? period) =>
            RegisterTimerAsync(name, callback, data, dueTime, period);

        internal Task StopAsync(string name) => UnregisterTimerAsync(name);

        // Timer callbacks are instance methods by contract; these need no data.
#pragma warning disable CA1822
        private Task OnTickAsync(Nudge nudge) => Task.CompletedTask;

        private Task OverloadedAsync() => Task.CompletedTask;

        private Task OverloadedAsync(Nudge nudge) => Task.CompletedTask;
#pragma warning restore CA1822
    }

    public async Task InitializeAsync()
    {
        _sidecar = await RecordingSidecar.StartAsync(_ => (204, null));
        _api = new TestActorSidecar(_sidecar.Endpoint);
    }

    public async Task DisposeAsync()
    {
        _api.Dispose();
        await _sidecar.DisposeAsync();
    }

    [Fact]
    public async Task RegisterReminderAsync_PostsGoDurationsAndJsonData()
    {
        var actor = NewActor();

        await actor.RemindAsync("nudge", new Nudge("late"), TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(1), TimeSpan.FromHours(1));

        var request = Assert.Single(_sidecar.Requests);
        Assert.Equal("POST /v1.0/actors/Schedule/s%201/reminders/nudge", request.Line);
        Assert.Equal("""{"dueTime":"5s","period":"1m0s","ttl":"1h0m0s","data":{"reason":"late"}}""", request.Body);
    }

    [Fact]
    public async Task RegisterReminderAsync_Once_WithoutDataOrTtl_SendsAnEmptyPeriodOnly()
    {
        var actor = NewActor();

        await actor.RemindAsync("once", null, TimeSpan.Zero, null, null);

        Assert.Equal("""{"dueTime":"0s","period":""}""", Assert.Single(_sidecar.Requests).Body);
    }

    [Fact]
    public async Task RegisterTimerAsync_PostsTheCallbackByItsCSharpName()
    {
        var actor = NewActor();

        await actor.TickAsync("tick", "OnTickAsync", new Nudge("tick"), TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(2));

        var request = Assert.Single(_sidecar.Requests);
        Assert.Equal("POST /v1.0/actors/Schedule/s%201/timers/tick", request.Line);
        Assert.Equal("""{"dueTime":"250ms","period":"2s","callback":"OnTickAsync","data":{"reason":"tick"}}""", request.Body);
    }

    [Fact]
    public async Task Unregister_Deletes()
    {
        var actor = NewActor();

        await actor.ForgetAsync("nudge");
        await actor.StopAsync("tick");

        Assert.Equal(
            ["DELETE /v1.0/actors/Schedule/s%201/reminders/nudge", "DELETE /v1.0/actors/Schedule/s%201/timers/tick"],
            _sidecar.Requests.Select(r => r.Line));
    }

    [Fact]
    public async Task RegisterTimerAsync_UnknownOrOverloadedCallback_IsRefusedBeforeSending()
    {
        var actor = NewActor();

        var unknown = await Assert.ThrowsAsync<ArgumentException>(() => actor.TickAsync("t", "NoSuchMethod", null, TimeSpan.Zero, null));
        var overloaded = await Assert.ThrowsAsync<ArgumentException>(() => actor.TickAsync("t", "OverloadedAsync", null, TimeSpan.Zero, null));

        Assert.Contains("no method 'NoSuchMethod'", unknown.Message, StringComparison.Ordinal);
        Assert.Contains("overloaded", overloaded.Message, StringComparison.Ordinal);
        Assert.Empty(_sidecar.Requests);
    }

    public static TheoryData<TimeSpan, TimeSpan?, TimeSpan?> BadTimes => new()
    {
        { TimeSpan.FromSeconds(-1), null, null },
        { TimeSpan.Zero, TimeSpan.Zero, null },
        { TimeSpan.Zero, TimeSpan.FromSeconds(-1), null },
        { TimeSpan.Zero, null, TimeSpan.Zero },
    };

    [Theory]
    [MemberData(nameof(BadTimes))]
    public async Task RegisterReminderAsync_BadTimes_AreRefusedBeforeSending(TimeSpan dueTime, TimeSpan? period, TimeSpan? ttl)
    {
        var actor = NewActor();

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => actor.RemindAsync("r", null, dueTime, period, ttl));

        Assert.Empty(_sidecar.Requests);
    }

    [Fact]
    public async Task RegisterReminderAsync_SidecarRefuses_ThrowsDaprApiException()
    {
        await using var refusing = await RecordingSidecar.StartAsync(_ => (500, RecordingSidecar.DaprError("ERR_ACTOR_REMINDER_CREATE")));
        using var api = new TestActorSidecar(refusing.Endpoint);
        var actor = new ScheduleActor(api.Host<ScheduleActor>("Schedule", "s1"));

        var error = await Assert.ThrowsAsync<DaprApiException>(() => actor.RemindAsync("r", null, TimeSpan.Zero, null, null));

        Assert.Equal("ERR_ACTOR_REMINDER_CREATE", error.ErrorCode);
    }

    private ScheduleActor NewActor() => new(_api.Host<ScheduleActor>("Schedule", "s 1"));
}
