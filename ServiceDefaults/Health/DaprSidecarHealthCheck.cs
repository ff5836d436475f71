using Gateway.ServiceDefaults.Dapr;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Gateway.ServiceDefaults.Health;

/// <summary>Ready only while the sidecar answers <c>GET /v1.0/healthz</c> with a success status.</summary>
internal sealed class DaprSidecarHealthCheck(IHttpClientFactory clients, DaprSidecarOptions sidecar) : IHealthCheck
{
    public const string HttpClientName = "dapr-health";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var client = clients.CreateClient(HttpClientName);
        try
        {
            using var response = await client.GetAsync(new Uri(sidecar.HttpEndpoint, "/v1.0/healthz"), cancellationToken).ConfigureAwait(false);
            return response.IsSuccessStatusCode
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy($"sidecar answered {(int)response.StatusCode}");
        }
        catch (HttpRequestException e)
        {
            return HealthCheckResult.Unhealthy("sidecar unreachable", e);
        }
        catch (TaskCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy("sidecar timed out", e);
        }
    }
}
