using Microsoft.Extensions.Hosting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Gateway.ServiceDefaults.Telemetry;

/// <summary>
/// OpenTelemetry.Extensions.Hosting is not available here, so this starts the SDK with the host
/// (resolving it is what makes its listeners subscribe) and flushes it on shutdown.
/// </summary>
internal sealed class TelemetryStartup(OpenTelemetrySdk sdk) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken)
    {
        sdk.TracerProvider.ForceFlush(2000);
        sdk.MeterProvider.ForceFlush(2000);
        return Task.CompletedTask;
    }
}
