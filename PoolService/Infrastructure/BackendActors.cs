using Gateway.PoolService.Model;
using Gateway.PoolService.Services;
using Gateway.ServiceDefaults.Actors;

namespace Gateway.PoolService.Infrastructure;

/// <summary>Typed calls to <see cref="BackendActor"/> through this replica's sidecar, wherever the actor is hosted.</summary>
internal sealed class BackendActors(ActorClient client)
{
    /// <exception cref="ServiceDefaults.Dapr.DaprApiException">The actor could not be reached or failed.</exception>
    public async Task<AcquireAnswer> AcquireAsync(string backendId, AcquireRequest request, CancellationToken cancellationToken) =>
        await client.InvokeAsync<AcquireAnswer>(BackendActor.TypeName, backendId, "acquire", request, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("The Backend actor answered acquire with nothing.");

    public async Task<ReportAnswer> ReportAsync(string backendId, ReportRequest request, CancellationToken cancellationToken) =>
        await client.InvokeAsync<ReportAnswer>(BackendActor.TypeName, backendId, "report", request, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("The Backend actor answered report with nothing.");

    public async Task<BackendStatus> ProbeAsync(string backendId, ProbeRequest request, CancellationToken cancellationToken) =>
        await client.InvokeAsync<BackendStatus>(BackendActor.TypeName, backendId, "probe", request, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("The Backend actor answered probe with nothing.");

    public async Task<BackendStatus> StatusAsync(string backendId, BackendLimits limits, CancellationToken cancellationToken) =>
        await client.InvokeAsync<BackendStatus>(BackendActor.TypeName, backendId, "status", limits, cancellationToken).ConfigureAwait(false)
            ?? throw new InvalidOperationException("The Backend actor answered status with nothing.");
}
