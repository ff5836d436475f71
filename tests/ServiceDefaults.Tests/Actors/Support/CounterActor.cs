using Gateway.ServiceDefaults.Actors;

namespace Gateway.ServiceDefaults.Tests.Actors.Support;

public sealed record IncrementRequest(long By);

public sealed record ReminderRequest(TimeSpan DueTime, TimeSpan? Period, int CancelAfter);

public sealed record TickRequest(TimeSpan DueTime, TimeSpan? Period, int StopAfter);

/// <summary>
/// The sample actor of the actor tests: a counter with state, a reminder, a timer, a method that
/// fails after changing state, a held call for turn tests and a call to another actor for
/// reentrancy. Every step is recorded in the <see cref="ActorProbe"/>.
/// </summary>
public sealed class CounterActor(ActorHost host, ActorProbe probe) : Actor(host), IRemindable
{
    public const string TypeName = "Counter";
    public const string CountKey = "count";
    public const string RemindersKey = "reminders";
    public const string TicksKey = "ticks";
    public const string ReminderName = "nudge";
    public const string TimerName = "tick";

    [ActorMethod("increment")]
    public async Task<long> IncrementAsync(IncrementRequest request, CancellationToken cancellationToken)
    {
        var count = await StateManager.GetOrAddStateAsync(CountKey, 0L, cancellationToken) + request.By;
        await StateManager.SetStateAsync(CountKey, count, cancellationToken);
        return count;
    }

    [ActorMethod("get")]
    public async Task<long> GetAsync(CancellationToken cancellationToken) =>
        (await StateManager.TryGetStateAsync<long>(CountKey, cancellationToken)).Value;

    [ActorMethod("incrementThenFail")]
    public async Task IncrementThenFailAsync(IncrementRequest request, CancellationToken cancellationToken)
    {
        await IncrementAsync(request, cancellationToken);
        throw new InvalidOperationException("secret-detail: the method failed after changing state");
    }

    [ActorMethod("reset")]
    public Task<bool> ResetAsync(CancellationToken cancellationToken) => StateManager.TryRemoveStateAsync(CountKey, cancellationToken);

    [ActorMethod("whoami")]
    public Task<string> WhoAmIAsync() => Task.FromResult($"{ActorType}/{ActorId}");

    [ActorMethod("nothing")]
    public Task NothingAsync()
    {
        probe.Record($"nothing:{ActorId}");
        return Task.CompletedTask;
    }

    /// <summary>Waits for the probe's gate <paramref name="gate"/>, recording how many calls were inside at once.</summary>
    [ActorMethod("hold")]
    public async Task<string> HoldAsync(string gate, CancellationToken cancellationToken)
    {
        probe.Enter(ActorId);
        try
        {
            await probe.Gate(gate).WaitAsync(cancellationToken);
            return gate;
        }
        finally
        {
            probe.Exit(ActorId);
        }
    }

    /// <summary>Calls <paramref name="targetId"/>'s <c>callBack</c>, which calls this actor's <c>get</c>: A → B → A.</summary>
    [ActorMethod("bounce")]
    public async Task<long> BounceAsync(string targetId, CancellationToken cancellationToken)
    {
        await IncrementAsync(new IncrementRequest(1), cancellationToken);
        return await ActorClient.InvokeAsync<long>(TypeName, targetId, "callBack", ActorId, cancellationToken);
    }

    [ActorMethod("callBack")]
    public Task<long> CallBackAsync(string callerId, CancellationToken cancellationToken) =>
        ActorClient.InvokeAsync<long>(TypeName, callerId, "get", cancellationToken);

    [ActorMethod("remindMe")]
    public Task RemindMeAsync(ReminderRequest request, CancellationToken cancellationToken) =>
        RegisterReminderAsync(ReminderName, request, request.DueTime, request.Period, cancellationToken: cancellationToken);

    [ActorMethod("forgetReminder")]
    public Task ForgetReminderAsync(CancellationToken cancellationToken) => UnregisterReminderAsync(ReminderName, cancellationToken);

    [ActorMethod("startTicking")]
    public Task StartTickingAsync(TickRequest request, CancellationToken cancellationToken) =>
        RegisterTimerAsync(TimerName, nameof(OnTickAsync), request, request.DueTime, request.Period, cancellationToken);

    public async Task<ReminderOutcome> ReceiveReminderAsync(ActorReminder reminder, CancellationToken cancellationToken)
    {
        var fired = await StateManager.GetOrAddStateAsync(RemindersKey, 0, cancellationToken) + 1;
        await StateManager.SetStateAsync(RemindersKey, fired, cancellationToken);
        probe.Record($"remind:{ActorId}:{reminder.Name}:{reminder.Period}");
        var request = reminder.GetData<ReminderRequest>();
        return request is not null && fired >= request.CancelAfter ? ReminderOutcome.Cancel : ReminderOutcome.Keep;
    }

    protected override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        probe.Record($"activate:{ActorId}");
        return Task.CompletedTask;
    }

    protected override Task OnDeactivateAsync(CancellationToken cancellationToken)
    {
        probe.Record($"deactivate:{ActorId}");
        return Task.CompletedTask;
    }

    private async Task OnTickAsync(TickRequest request, CancellationToken cancellationToken)
    {
        var ticks = await StateManager.GetOrAddStateAsync(TicksKey, 0, cancellationToken) + 1;
        await StateManager.SetStateAsync(TicksKey, ticks, cancellationToken);
        probe.Record($"tick:{ActorId}");
        if (ticks >= request.StopAfter)
        {
            await UnregisterTimerAsync(TimerName, cancellationToken);
        }
    }
}
