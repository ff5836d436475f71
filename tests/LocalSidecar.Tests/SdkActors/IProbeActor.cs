using Dapr.Actors;

namespace Gateway.LocalSidecar.Tests.SdkActors;

/// <summary>
/// The actor the SDK tests call. Public, with public records, because typed proxies are generated
/// at run time against the interface (DAPR-SDK.md section 2).
/// </summary>
public interface IProbeActor : IActor
{
    /// <summary>Which app hosts this actor, and how often this id was activated there.</summary>
    Task<Whereabouts> LocateAsync();

    /// <summary>Asks another actor where it is, through the hosting app's own proxy factory and sidecar.</summary>
    Task<Whereabouts> AskAsync(string otherId);

    /// <summary>Calls itself <paramref name="depth"/> levels deep through its own sidecar; returns the depth reached.</summary>
    Task<int> RecurseAsync(int depth);

    Task PutAsync(StateEntry entry);

    /// <summary>Sets state with a TTL, which daprd refuses unless its ActorStateTTL preview feature is on.</summary>
    Task PutWithTtlAsync(StateEntry entry, TimeSpan ttl);

    Task<StateRead> ReadAsync(string key);

    Task<bool> RemoveAsync(string key);

    /// <summary>Increments the counter in state, holding the turn for a moment to expose overlap.</summary>
    Task<int> TakeTurnAsync();

    Task StartReminderAsync(Schedule schedule);

    /// <summary>Registers a reminder that fires <paramref name="repetitions"/> times.</summary>
    Task StartRepeatingReminderAsync(Schedule schedule, int repetitions);

    /// <summary>The reminder as the SDK reads it back from the sidecar; null when there is none.</summary>
    Task<ReminderView?> DescribeReminderAsync(string name);

    Task StopReminderAsync(string name);

    Task StartTimerAsync(Schedule schedule);

    Task StopTimerAsync(string name);
}

public sealed record StateEntry(string Key, string Value);

public sealed record StateRead(bool Found, string? Value);

public sealed record ReminderView(string Data, TimeSpan DueTime, TimeSpan Period);

public sealed record Whereabouts(string Host, string ActorId, int Activations);

/// <summary>A reminder or timer: first after <paramref name="DueTime"/>, then every <paramref name="Period"/>.</summary>
public sealed record Schedule(string Name, TimeSpan DueTime, TimeSpan Period);
