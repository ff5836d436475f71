namespace Gateway.LocalSidecar.Actors;

/// <summary>
/// Deactivates actors idle for longer than the app's <c>actorIdleTimeout</c>, checking every
/// <c>actorScanInterval</c>; on shutdown, deactivates every active actor, as daprd drains its host.
/// </summary>
internal sealed partial class ActorDeactivation(HostedActors hosted, TimeProvider time, ILogger<ActorDeactivation> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await hosted.Configured.WaitAsync(stoppingToken).ConfigureAwait(false);
        if (hosted.Config.Entities.Count == 0)
        {
            return;
        }

        using var timer = new PeriodicTimer(hosted.Config.ScanInterval, time);
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
            try
            {
                await hosted.DeactivateIdleAsync(stoppingToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogScanFailed(logger, e.Message);
            }
        }
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
        if (hosted.Config.Entities.Count == 0)
        {
            return;
        }

        using var drain = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        drain.CancelAfter(hosted.Config.DrainOngoingCallTimeout);
        try
        {
            await hosted.DeactivateAllAsync(drain.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Draining is best effort: the host is going away either way.
        }
    }

    [LoggerMessage(EventId = 50, Level = LogLevel.Warning, Message = "Idle actor scan failed: {Reason}")]
    private static partial void LogScanFailed(ILogger logger, string reason);
}
