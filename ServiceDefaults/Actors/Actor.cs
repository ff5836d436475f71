using Gateway.ServiceDefaults.Dapr;

namespace Gateway.ServiceDefaults.Actors;

/// <summary>
/// The base of an actor hosted by this app. Keep it a thin adapter: the rules belong in a plain
/// class tested on its own; the actor loads state, calls the rules, stores the outcome.
/// </summary>
/// <remarks>
/// <para><b>Construction.</b> One instance per actor id, made on its first call through
/// dependency injection (a DI scope per instance, disposed on deactivation); the constructor takes
/// an <see cref="ActorHost"/> and passes it on.</para>
/// <para><b>Callable methods</b> are the public instance methods the actor class declares that
/// return <see cref="Task"/> or <see cref="Task{TResult}"/> and take zero or one argument
/// (read from the request body as JSON) plus an optional trailing <see cref="CancellationToken"/>
/// (the call's). A public Task-returning method that does not fit fails registration. The wire
/// name is the C# name unless <see cref="ActorMethodAttribute"/> gives another, matched
/// case-sensitively as in the Dapr .NET SDK; overloads must be told apart with it. The result is
/// answered as JSON with status 200 (empty for a plain Task).</para>
/// <para><b>Turns.</b> One call at a time per instance (methods, reminders, timers and
/// deactivation alike). State changes made through <see cref="StateManager"/> are committed in one
/// transaction when a call succeeds, before it is answered; when it throws they are dropped and
/// the caller gets a 500.</para>
/// </remarks>
public abstract class Actor
{
    protected Actor(ActorHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        Host = host;
    }

    /// <summary>This instance's identity and links to the runtime.</summary>
    public ActorHost Host { get; }

    /// <summary>The id of this instance.</summary>
    public string ActorId => Host.ActorId;

    /// <summary>The actor type name this instance is hosted under.</summary>
    public string ActorType => Host.ActorType;

    /// <summary>This instance's state, committed at the end of each successful turn.</summary>
    public ActorState StateManager => Host.State;

    /// <summary>Calls other actors through this app's sidecar, passing on this call's reentrancy id.</summary>
    protected ActorClient ActorClient => Host.Client;

    /// <summary>
    /// Runs when the instance is created, before its first call, in that call's turn; state it sets
    /// is committed right after. If it throws, the instance is dropped and the call fails.
    /// </summary>
    protected virtual Task OnActivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>
    /// Runs when the sidecar deactivates the instance (idle, or moving to another host), in a turn
    /// of its own, for releasing resources. State it sets is not saved: by then daprd has dropped
    /// the actor and refuses its state writes. The instance is dropped even if it throws.
    /// </summary>
    protected virtual Task OnDeactivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    internal Task ActivateAsync(CancellationToken cancellationToken) => OnActivateAsync(cancellationToken);

    internal Task DeactivateAsync(CancellationToken cancellationToken) => OnDeactivateAsync(cancellationToken);

    /// <summary>
    /// Registers (or replaces) the reminder <paramref name="name"/>: persisted by the sidecar,
    /// surviving deactivation and restarts, delivered to <see cref="IRemindable.ReceiveReminderAsync"/>.
    /// It first fires after <paramref name="dueTime"/>, then every <paramref name="period"/> (null:
    /// once), until <paramref name="timeToLive"/> has passed (null: no end) or it is unregistered.
    /// <paramref name="data"/> is serialised as JSON and handed back on each firing (null: none).
    /// </summary>
    /// <exception cref="ArgumentException">A bad name, a negative due time, or a period or time to live that is not positive.</exception>
    /// <exception cref="DaprApiException">The sidecar refused or did not answer.</exception>
    protected Task RegisterReminderAsync(string name, object? data, TimeSpan dueTime, TimeSpan? period, TimeSpan? timeToLive = null, CancellationToken cancellationToken = default)
    {
        ActorNames.Check(name, nameof(name));
        CheckTimes(dueTime, period);
        if (timeToLive <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(timeToLive), timeToLive, "A time to live must be positive; null for none.");
        }

        var body = ActorRequestBody.Reminder(dueTime, period, timeToLive, data, Host.Sidecar.Json);
        return Host.Sidecar.RegisterReminderAsync(ActorType, ActorId, name, body, cancellationToken);
    }

    /// <summary>Deletes the reminder <paramref name="name"/>; deleting one that does not exist succeeds.</summary>
    /// <exception cref="DaprApiException">The sidecar refused or did not answer.</exception>
    protected Task UnregisterReminderAsync(string name, CancellationToken cancellationToken = default)
    {
        ActorNames.Check(name, nameof(name));
        return Host.Sidecar.UnregisterReminderAsync(ActorType, ActorId, name, cancellationToken);
    }

    /// <summary>
    /// Registers (or replaces) the timer <paramref name="name"/>: it calls
    /// <paramref name="callbackMethodName"/> (the C# name of an instance method of this actor,
    /// public or not, shaped like a callable method; use <c>nameof</c>) after
    /// <paramref name="dueTime"/>, then every <paramref name="period"/> (null: once), with
    /// <paramref name="data"/> as its argument. Timers live only while the instance is active.
    /// The callback's result is ignored (daprd ignores a cancel answer to a timer); to stop a
    /// timer, unregister it.
    /// </summary>
    /// <exception cref="ArgumentException">A bad name, no such callback (or an overloaded one), a negative due time or a period that is not positive.</exception>
    /// <exception cref="DaprApiException">The sidecar refused or did not answer.</exception>
    protected Task RegisterTimerAsync(string name, string callbackMethodName, object? data, TimeSpan dueTime, TimeSpan? period, CancellationToken cancellationToken = default)
    {
        ActorNames.Check(name, nameof(name));
        ArgumentException.ThrowIfNullOrEmpty(callbackMethodName);
        if (!Host.Registration.TimerCallbacks.TryGetValue(callbackMethodName, out var callback))
        {
            throw new ArgumentException($"{GetType().Name} has no method '{callbackMethodName}' a timer can call (an instance method returning Task or Task<T> with at most one argument).", nameof(callbackMethodName));
        }

        if (callback is null)
        {
            throw new ArgumentException($"{GetType().Name}.{callbackMethodName} is overloaded; a timer callback must have a name of its own.", nameof(callbackMethodName));
        }

        CheckTimes(dueTime, period);
        var body = ActorRequestBody.Timer(dueTime, period, callbackMethodName, data, Host.Sidecar.Json);
        return Host.Sidecar.RegisterTimerAsync(ActorType, ActorId, name, body, cancellationToken);
    }

    /// <summary>Deletes the timer <paramref name="name"/>.</summary>
    /// <exception cref="DaprApiException">The sidecar refused or did not answer.</exception>
    protected Task UnregisterTimerAsync(string name, CancellationToken cancellationToken = default)
    {
        ActorNames.Check(name, nameof(name));
        return Host.Sidecar.UnregisterTimerAsync(ActorType, ActorId, name, cancellationToken);
    }

    private static void CheckTimes(TimeSpan dueTime, TimeSpan? period)
    {
        if (dueTime < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(dueTime), dueTime, "A due time must not be negative.");
        }

        if (period <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(period), period, "A period must be positive; null to fire once.");
        }
    }
}
