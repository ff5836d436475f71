namespace Gateway.ServiceDefaults.Actors;

/// <summary>
/// The actor types this app hosts and the settings it hands its sidecar on <c>GET /dapr/config</c>
/// (DAPR-HTTP.md section 5). Configured in <c>services.AddActors(options => ...)</c> and validated there.
/// Defaults are daprd's own, so an app that sets nothing behaves as if it sent no settings.
/// </summary>
public sealed class ActorRuntimeOptions
{
    private readonly List<ActorRegistration> _registrations = [];

    /// <summary>
    /// How long an actor may go without calls before the sidecar deactivates it
    /// (<c>DELETE /actors/{type}/{id}</c>). Default: 60 minutes. Must be positive.
    /// </summary>
    public TimeSpan ActorIdleTimeout { get; set; } = TimeSpan.FromMinutes(60);

    /// <summary>
    /// How often the sidecar looks for idle actors. Default: 30 seconds. Must be positive. Newer
    /// daprd versions ignore it (they track idleness per actor); it is sent for older ones.
    /// </summary>
    public TimeSpan ActorScanInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long the sidecar waits for calls in flight before it moves actors to another host.
    /// Default: 60 seconds. Must be positive. daprd clamps a value at or above its placement
    /// dissemination timeout (<c>--actors-disseminate-timeout</c>, default 30 s) to 80% of it, with a warning.
    /// </summary>
    public TimeSpan DrainOngoingCallTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Whether the sidecar waits for calls in flight (up to <see cref="DrainOngoingCallTimeout"/>) before moving actors. Default: true.</summary>
    public bool DrainRebalancedActors { get; set; } = true;

    /// <summary>
    /// Whether a call chain may re-enter an actor it already holds (A → B → A). Default: disabled,
    /// with a maximum depth of 32 when enabled.
    /// </summary>
    public ActorReentrancyOptions Reentrancy { get; set; } = new();

    internal IReadOnlyList<ActorRegistration> Registrations => _registrations;

    /// <summary>
    /// Hosts <typeparamref name="TActor"/> under <paramref name="actorType"/>, the name callers and
    /// the sidecar use (case-sensitive). Its callable methods are found once, here: see <see cref="Actor"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not a valid actor type name, or is taken.</exception>
    /// <exception cref="InvalidOperationException"><typeparamref name="TActor"/> has a method that looks callable but cannot be (see <see cref="Actor"/>).</exception>
    public ActorRuntimeOptions RegisterActor<TActor>(string actorType)
        where TActor : Actor
    {
        ActorNames.Check(actorType, nameof(actorType));
        if (_registrations.Exists(r => string.Equals(r.ActorType, actorType, StringComparison.Ordinal)))
        {
            throw new ArgumentException($"The actor type '{actorType}' is already registered.", nameof(actorType));
        }

        _registrations.Add(ActorRegistration.Create(actorType, typeof(TActor)));
        return this;
    }

    /// <summary>The problems with these values, empty when they are usable.</summary>
    internal IReadOnlyList<string> Validate()
    {
        List<string> problems = [];
        if (_registrations.Count == 0)
        {
            problems.Add("no actor type is registered (call RegisterActor<TActor>(name))");
        }

        Positive(ActorIdleTimeout, nameof(ActorIdleTimeout));
        Positive(ActorScanInterval, nameof(ActorScanInterval));
        Positive(DrainOngoingCallTimeout, nameof(DrainOngoingCallTimeout));
        if (Reentrancy is null)
        {
            problems.Add("Reentrancy is required");
        }
        else if (Reentrancy.MaxStackDepth < 1)
        {
            problems.Add($"Reentrancy.MaxStackDepth must be at least 1, not {Reentrancy.MaxStackDepth}");
        }

        return problems;

        void Positive(TimeSpan value, string name)
        {
            if (value <= TimeSpan.Zero)
            {
                problems.Add($"{name} must be positive, not {value}");
            }
        }
    }
}

/// <summary>Actor reentrancy (DAPR-HTTP.md section 4): calls carrying the same <c>Dapr-Reentrancy-Id</c> skip the actor's lock.</summary>
public sealed record ActorReentrancyOptions
{
    /// <summary>Whether reentrancy is on. Default: false (every call waits for the actor's turn).</summary>
    public bool Enabled { get; init; }

    /// <summary>How deep a call chain may re-enter one actor; beyond it the call fails. Default: 32, daprd's default.</summary>
    public int MaxStackDepth { get; init; } = 32;
}
