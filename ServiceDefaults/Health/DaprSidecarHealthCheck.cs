using Dapr.Client;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gateway.ServiceDefaults.Health;

/// <summary>Ready only while the sidecar answers the SDK's <see cref="DaprClient.CheckHealthAsync"/> (<c>GET /v1.0/healthz</c>) with a success status.</summary>
internal sealed class DaprSidecarHealthCheck(DaprClient dapr) : IHealthCheck
{
    /// <summary>How long one check may wait for the sidecar.</summary>
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(2);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        using var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(Bound);
        try
        {
            // The SDK answers false for a connection failure or a non-2xx answer.
            return await dapr.CheckHealthAsync(bounded.Token).ConfigureAwait(false)
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("sidecar unreachable or unhealthy");
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("sidecar timed out", e);
        }
    }
}
