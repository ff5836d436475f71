using System.Text;
using Dapr.Actors.Runtime;

namespace Gateway.LocalSidecar.Tests.SdkActors;

/// <summary>A thin actor over <see cref="ActorJournal"/>: everything the sidecar makes it do is recorded there.</summary>
[Actor(TypeName = TypeName)]
public sealed class ProbeActor(ActorHost host, ActorJournal journal) : Actor(host), IProbeActor, IRemindable
{
    public const string TypeName = "Probe";
    private const string CounterKey = "count";

    private string ActorId => Id.GetId();

    protected override Task OnActivateAsync()
    {
        journal.Record(ActorId, ActorEventKind.Activated);
        return Task.CompletedTask;
    }

    protected override Task OnDeactivateAsync()
    {
        journal.Record(ActorId, ActorEventKind.Deactivated);
        return Task.CompletedTask;
    }

    public Task<Whereabouts> LocateAsync() =>
        Task.FromResult(new Whereabouts(journal.Host, ActorId, journal.Count(ActorId, ActorEventKind.Activated)));

    public Task<Whereabouts> AskAsync(string otherId) =>
        ProxyFactory.CreateActorProxy<IProbeActor>(new Dapr.Actors.ActorId(otherId), TypeName).LocateAsync();

    public async Task<int> RecurseAsync(int depth) =>
        depth == 0 ? 0 : 1 + await ProxyFactory.CreateActorProxy<IProbeActor>(Id, Host.ActorTypeInfo.ActorTypeName).RecurseAsync(depth - 1);

    public Task PutAsync(StateEntry entry) => StateManager.SetStateAsync(entry.Key, entry.Value);

    public Task PutWithTtlAsync(StateEntry entry, TimeSpan ttl) => StateManager.SetStateAsync(entry.Key, entry.Value, ttl);

    public async Task<StateRead> ReadAsync(string key)
    {
        var value = await StateManager.TryGetStateAsync<string>(key);
        return new StateRead(value.HasValue, value.HasValue ? value.Value : null);
    }

    public Task<bool> RemoveAsync(string key) => StateManager.TryRemoveStateAsync(key);

    public async Task<int> TakeTurnAsync()
    {
        using var turn = journal.EnterTurn(ActorId);
        var count = await StateManager.GetOrAddStateAsync(CounterKey, 0);

        // Hold the turn across a real suspension: a second call let in now would read the same count.
        await Task.Delay(5);
        await StateManager.SetStateAsync(CounterKey, count + 1);
        return count + 1;
    }

    public Task StartReminderAsync(Schedule schedule) =>
        RegisterReminderAsync(schedule.Name, Encoding.UTF8.GetBytes(schedule.Name), schedule.DueTime, schedule.Period);

    public Task StartRepeatingReminderAsync(Schedule schedule, int repetitions) =>
        RegisterReminderAsync(schedule.Name, Encoding.UTF8.GetBytes(schedule.Name), schedule.DueTime, schedule.Period, repetitions);

    public async Task<ReminderView?> DescribeReminderAsync(string name)
    {
        try
        {
            var reminder = await GetReminderAsync(name);
            return reminder is null ? null : new ReminderView(Encoding.UTF8.GetString(reminder.State), reminder.DueTime, reminder.Period);
        }
        catch (Dapr.DaprApiException e) when (e.ErrorCode == "ERR_ACTOR_REMINDER_NOT_FOUND")
        {
            return null;
        }
    }

    public Task StopReminderAsync(string name) => UnregisterReminderAsync(name);

    public Task StartTimerAsync(Schedule schedule) =>
        RegisterTimerAsync(schedule.Name, nameof(OnTimerAsync), Encoding.UTF8.GetBytes(schedule.Name), schedule.DueTime, schedule.Period);

    public Task StopTimerAsync(string name) => UnregisterTimerAsync(name);

    public Task ReceiveReminderAsync(string reminderName, byte[] state, TimeSpan dueTime, TimeSpan period)
    {
        // The state round-trips through the sidecar as base64: it must come back as registered.
        journal.Record(ActorId, ActorEventKind.Reminder, reminderName, Encoding.UTF8.GetString(state));
        return Task.CompletedTask;
    }

    /// <summary>The timer callback; its data is the timer's name.</summary>
    public Task OnTimerAsync(byte[] data)
    {
        journal.Record(ActorId, ActorEventKind.Timer, Encoding.UTF8.GetString(data));
        return Task.CompletedTask;
    }
}
