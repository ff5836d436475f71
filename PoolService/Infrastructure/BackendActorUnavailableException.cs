using Dapr;

namespace Gateway.PoolService.Infrastructure;

/// <summary>
/// A call to a Backend actor produced no answer (see <see cref="BackendActors"/>): the sidecar or
/// the actor failed, or could not be reached. Nothing is known about whether the actor acted.
/// A <see cref="DaprException"/>, so that an endpoint's store-unavailable filter answers it 503
/// like any other failure to reach the sidecar.
/// </summary>
internal sealed class BackendActorUnavailableException : DaprException
{
    public BackendActorUnavailableException(string message)
        : base(message)
    {
    }

    public BackendActorUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
