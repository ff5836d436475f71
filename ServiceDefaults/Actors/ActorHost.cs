namespace Gateway.ServiceDefaults.Actors;

/// <summary>
/// What an actor instance is given at construction: who it is, and its links to the runtime.
/// Take it as a constructor parameter and pass it to <see cref="Actor"/>'s constructor; other
/// parameters come from dependency injection.
/// </summary>
public sealed class ActorHost
{
    internal ActorHost(string actorType, string actorId, ActorSidecarApi sidecar, ActorClient client, ActorRegistration registration)
    {
        ActorType = actorType;
        ActorId = actorId;
        Sidecar = sidecar;
        Client = client;
        Registration = registration;
        State = new ActorState(sidecar, actorType, actorId);
    }

    /// <summary>The actor type name this instance is hosted under.</summary>
    public string ActorType { get; }

    /// <summary>The id of this instance.</summary>
    public string ActorId { get; }

    internal ActorSidecarApi Sidecar { get; }

    internal ActorClient Client { get; }

    internal ActorRegistration Registration { get; }

    internal ActorState State { get; }
}
