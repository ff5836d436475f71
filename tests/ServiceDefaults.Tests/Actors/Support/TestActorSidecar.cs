using Gateway.ServiceDefaults.Actors;
using Gateway.ServiceDefaults.Dapr;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.ServiceDefaults.Tests.Actors.Support;

/// <summary>The actor API client over a real channel to <c>endpoint</c>, with test-sized retries.</summary>
internal sealed class TestActorSidecar : IDisposable
{
    private readonly DaprSidecarChannel _channel;

    public TestActorSidecar(Uri endpoint, string? apiToken = null)
    {
        _channel = new DaprSidecarChannel(
            new DaprSidecarOptions { HttpEndpoint = endpoint, ApiToken = apiToken },
            new DaprClientOptions { MaxRetryAttempts = 1, RetryDelay = TimeSpan.FromMilliseconds(1), RetryMaxDelay = TimeSpan.FromMilliseconds(5) },
            NullLogger.Instance,
            TimeProvider.System,
            null);
        Api = new ActorSidecarApi(_channel);
        Client = new ActorClient(Api);
    }

    public ActorSidecarApi Api { get; }

    public ActorClient Client { get; }

    /// <summary>A host for <typeparamref name="TActor"/> as the runtime would make it.</summary>
    public ActorHost Host<TActor>(string actorType, string actorId)
        where TActor : Actor =>
        new(actorType, actorId, Api, Client, ActorRegistration.Create(actorType, typeof(TActor)));

    public void Dispose() => _channel.Dispose();
}
