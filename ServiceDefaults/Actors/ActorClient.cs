using System.Text.Json;
using Gateway.ServiceDefaults.Dapr;

namespace Gateway.ServiceDefaults.Actors;

/// <summary>
/// Calls actor methods through this service's own sidecar:
/// <c>PUT /v1.0/actors/{type}/{id}/method/{method}</c> (DAPR-HTTP.md section 4). The sidecar finds
/// the host, activates the actor and queues the call for its turn. Registered as a singleton by
/// <c>AddActorClient()</c> (and <c>AddActors(...)</c>); needs the sidecar options of
/// <c>AddServiceDefaults()</c>. Inside an actor, use <c>Actor.ActorClient</c>.
/// </summary>
/// <remarks>
/// Requests and answers are JSON (the Dapr client's <see cref="DaprClientOptions.JsonSerializerOptions"/>,
/// web defaults unless configured). Calls are sent once, never retried (the actor may have acted),
/// and bounded only by the <see cref="CancellationToken"/>. Made from inside an actor call, they
/// carry its <c>Dapr-Reentrancy-Id</c>, so with reentrancy enabled a chain may call back into the
/// actors it holds.
/// </remarks>
public sealed class ActorClient
{
    private readonly ActorSidecarApi _sidecar;

    internal ActorClient(ActorSidecarApi sidecar) => _sidecar = sidecar;

    /// <summary>Calls <paramref name="method"/> without a body and reads the JSON answer.</summary>
    /// <returns>The answer; default when the method returned a plain Task (empty answer).</returns>
    /// <exception cref="ArgumentException">A type, id or method name that cannot travel in a URL path segment.</exception>
    /// <exception cref="DaprApiException">
    /// The call failed: the method threw or does not exist (500 <c>ERR_ACTOR_INVOKE_METHOD</c>), the
    /// type is hosted nowhere, or the sidecar did not answer (<see cref="DaprApiException.StatusCode"/> null).
    /// </exception>
    /// <exception cref="JsonException">The answer cannot be read as <typeparamref name="TResponse"/>.</exception>
    public Task<TResponse?> InvokeAsync<TResponse>(string actorType, string actorId, string method, CancellationToken cancellationToken = default) =>
        InvokeCoreAsync<TResponse>(actorType, actorId, method, null, cancellationToken);

    /// <summary>Calls <paramref name="method"/> with <paramref name="request"/> as its JSON argument and reads the JSON answer.</summary>
    /// <returns>The answer; default when the method returned a plain Task (empty answer).</returns>
    /// <exception cref="ArgumentException">A type, id or method name that cannot travel in a URL path segment.</exception>
    /// <exception cref="DaprApiException">The call failed (see the other overload).</exception>
    /// <exception cref="JsonException">The request cannot be serialised, or the answer cannot be read as <typeparamref name="TResponse"/>.</exception>
    public Task<TResponse?> InvokeAsync<TResponse>(string actorType, string actorId, string method, object? request, CancellationToken cancellationToken = default) =>
        InvokeCoreAsync<TResponse>(actorType, actorId, method, Serialize(request), cancellationToken);

    /// <summary>Calls <paramref name="method"/> without a body, ignoring any answer.</summary>
    /// <exception cref="DaprApiException">The call failed (see <see cref="InvokeAsync{TResponse}(string, string, string, CancellationToken)"/>).</exception>
    public Task InvokeAsync(string actorType, string actorId, string method, CancellationToken cancellationToken = default) =>
        SendAsync(actorType, actorId, method, null, cancellationToken);

    /// <summary>Calls <paramref name="method"/> with <paramref name="request"/> as its JSON argument, ignoring any answer.</summary>
    /// <exception cref="DaprApiException">The call failed (see <see cref="InvokeAsync{TResponse}(string, string, string, CancellationToken)"/>).</exception>
    public Task InvokeAsync(string actorType, string actorId, string method, object? request, CancellationToken cancellationToken = default) =>
        SendAsync(actorType, actorId, method, Serialize(request), cancellationToken);

    private async Task<TResponse?> InvokeCoreAsync<TResponse>(string actorType, string actorId, string method, ReadOnlyMemory<byte>? body, CancellationToken cancellationToken)
    {
        var answer = await SendAsync(actorType, actorId, method, body, cancellationToken).ConfigureAwait(false);
        return answer.Length == 0 ? default : JsonSerializer.Deserialize<TResponse>(answer, _sidecar.Json);
    }

    private Task<byte[]> SendAsync(string actorType, string actorId, string method, ReadOnlyMemory<byte>? body, CancellationToken cancellationToken)
    {
        ActorNames.Check(actorType, nameof(actorType));
        ActorNames.Check(actorId, nameof(actorId));
        ActorNames.Check(method, nameof(method));
        return _sidecar.InvokeAsync(actorType, actorId, method, body, ActorCallContext.ReentrancyId, cancellationToken);
    }

    // Serialised up front, with the runtime type: a value that cannot be serialised fails as itself.
    private ReadOnlyMemory<byte> Serialize(object? request) =>
        JsonSerializer.SerializeToUtf8Bytes(request, request?.GetType() ?? typeof(object), _sidecar.Json);
}
