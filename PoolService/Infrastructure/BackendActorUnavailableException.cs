namespace Gateway.PoolService.Infrastructure;

/// <summary>
/// A call to a Backend actor produced no answer (see <see cref="BackendActors"/>): the sidecar or
/// the actor failed, or could not be reached. Nothing is known about whether the actor acted.
/// </summary>
internal sealed class BackendActorUnavailableException(string message, Exception? innerException) : Exception(message, innerException);
