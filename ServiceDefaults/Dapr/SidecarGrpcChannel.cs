using Grpc.Core;
using Grpc.Net.Client;

namespace Gateway.ServiceDefaults.Dapr;

/// <summary>
/// The gRPC channel to the sidecar for the one call the SDK's <c>DaprClient</c> cannot make as
/// needed (a bulk read that keeps per-key errors), with the API token as the SDK sends it.
/// </summary>
internal sealed class SidecarGrpcChannel : IDisposable
{
    public SidecarGrpcChannel(DaprSidecarOptions sidecar, DaprClientOptions options)
    {
        Channel = GrpcChannel.ForAddress(sidecar.GrpcEndpoint, CreateOptions(options));
        Headers = sidecar.ApiToken is { } token ? new Metadata { { "dapr-api-token", token } } : [];
    }

    public GrpcChannel Channel { get; }

    public Metadata Headers { get; }

    /// <summary>The channel options of every gRPC channel to the sidecar, the SDK's included.</summary>
    public static GrpcChannelOptions CreateOptions(DaprClientOptions options) => new()
    {
        // As the SDK's default options: cancellation surfaces as OperationCanceledException.
        ThrowOperationCanceledOnCancellation = true,
        HttpHandler = new SocketsHttpHandler
        {
            ConnectTimeout = options.ConnectTimeout,

            // The sidecar is one long-lived destination: recycle connections so that a DNS change
            // of DAPR_GRPC_ENDPOINT is picked up, and open more than one HTTP/2 connection when
            // more calls are in flight than one connection's stream limit.
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
            EnableMultipleHttp2Connections = true,
        },
        DisposeHttpClient = true,

        // A channel that failed to connect waits before connecting again, by default up to two
        // minutes: a sidecar that restarts must be usable again within the state calls' retries.
        InitialReconnectBackoff = TimeSpan.FromMilliseconds(100),
        MaxReconnectBackoff = options.RetryMaxDelay,
    };

    public void Dispose() => Channel.Dispose();
}
