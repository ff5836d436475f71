using System.Net.Sockets;
using Gateway.LocalSidecar.Actors;
using Gateway.LocalSidecar.Invocation;

namespace Gateway.LocalSidecar.Hosting;

/// <summary>
/// daprd reports ready only once its app listens on the app port and its actor runtime knows what
/// the app hosts. This waits for the app port, reads the app's actor configuration, and announces
/// the hosted actor types to the other sidecars.
/// </summary>
internal sealed partial class SidecarReadiness(SidecarOptions options, HostedActors actors, SidecarRegistry registry, ILogger<SidecarReadiness> logger) : BackgroundService
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    private readonly TaskCompletionSource _appReady = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _announced;

    /// <summary>Outbound ready: components loaded and the sidecar findable by the others on the machine.</summary>
    public bool IsOutboundReady => _announced;

    /// <summary>Ready: outbound ready and the app listens.</summary>
    public bool IsReady => _announced && _appReady.Task.IsCompletedSuccessfully;

    public void MarkAnnounced() => _announced = true;

    /// <summary>Completes once the app listens; sidecar features that call the app wait for it.</summary>
    public Task AppReady => _appReady.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (options.AppPort is not { } port)
        {
            await actors.ConfigureAsync(stoppingToken).ConfigureAwait(false);
            _appReady.TrySetResult();
            return;
        }

        LogWaiting(logger, port);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(options.AppChannelAddress, port, stoppingToken).ConfigureAwait(false);
                break;
            }
            catch (SocketException)
            {
                await Task.Delay(PollInterval, stoppingToken).ConfigureAwait(false);
            }
        }

        await actors.ConfigureAsync(stoppingToken).ConfigureAwait(false);
        while (registry.Own is null && !stoppingToken.IsCancellationRequested)
        {
            // The first announcement is made once the ports are known; the actor types join it.
            await Task.Delay(PollInterval, stoppingToken).ConfigureAwait(false);
        }

        if (actors.Config.Entities.Count > 0 && registry.Own is { } own)
        {
            registry.Announce(own with { ActorTypes = actors.Config.Entities });
        }

        LogAppReady(logger, port);
        _appReady.TrySetResult();
    }

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "Waiting for the app to listen on port {Port}")]
    private static partial void LogWaiting(ILogger logger, int port);

    [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "App is listening on port {Port}; sidecar is ready")]
    private static partial void LogAppReady(ILogger logger, int port);
}
