using Dapr;
using Gateway.PoolService.Infrastructure;
using Gateway.PoolService.Model;
using Gateway.ServiceDefaults.Dapr;
using Microsoft.Extensions.Options;

namespace Gateway.PoolService.Services;

/// <summary>
/// Merges configuration into the stored registry once at start (<see cref="ConfigurationSeed"/>),
/// retrying until the sidecar answers (it may start after the service); until then lease and
/// admin requests wait. Then checks that every stored API key opens with the configured key.
/// </summary>
internal sealed class RegistrySeeder(
    BackendRegistry registry,
    IOptions<PoolOptions> options,
    ApiKeyCipher cipher,
    TimeProvider timers,
    ILogger<RegistrySeeder> logger) : BackgroundService
{
    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(200);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = FirstDelay;
        for (var attempt = 1; !stoppingToken.IsCancellationRequested; attempt++)
        {
            try
            {
                var edit = await registry.EditAsync((document, now) => ConfigurationSeed.Apply(document, options.Value, cipher, now), waitForSeed: false, stoppingToken).ConfigureAwait(false);
                if (edit.Status != EditStatus.Contention)
                {
                    var document = edit.Document;
                    PoolLog.RegistrySeeded(logger, edit.Status.ToString(), document.Version, document.Backends.Count, document.Pools.Count, document.Aliases.Count);
                    foreach (var backend in document.Backends.Values.Where(b => b.ApiKey is not null && !cipher.TryOpen(b.ApiKey, b.Id, out _)))
                    {
                        PoolLog.KeyUnreadable(logger, backend.Id);
                    }

                    registry.MarkSeeded();
                    return;
                }
            }
            catch (DaprException e)
            {
                // Expected while the sidecar starts (it may start after the service): no stack trace.
                PoolLog.SeedRetry(logger, attempt, e.Message, delay);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }

            try
            {
                await Task.Delay(delay, timers, stoppingToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = delay * 2 > MaxDelay ? MaxDelay : delay * 2;
        }
    }
}
