using System.Collections.Concurrent;
using System.Net.Http.Headers;
using Gateway.PoolService.Infrastructure;
using Gateway.PoolService.Model;
using Gateway.ServiceDefaults.Dapr;
using Microsoft.Extensions.Options;

namespace Gateway.PoolService.Services;

/// <summary>The result of one probe: passed, with the status the backend answered (null: no answer in time).</summary>
internal sealed record ProbeResult(string BackendId, bool Passed, int? StatusCode, BackendStatus? Status);

/// <summary>
/// Active health probing: every enabled backend with a <c>healthPath</c> gets <c>GET
/// {baseUrl}{healthPath}</c> (with its API key as a bearer token, as OpenAI-style <c>/models</c>
/// endpoints need) every <c>healthIntervalSeconds</c>; a 2xx within
/// <see cref="ProbingOptions.Timeout"/> passes, anything else fails. Each result goes to the
/// backend's actor, which turns k failures in a row into "unhealthy until a probe passes".
/// </summary>
/// <remarks>
/// Every replica probes, so with R replicas a backend is probed about R times per interval and the
/// actor counts their failures together; k is reached sooner, never later, than with one replica.
/// </remarks>
internal sealed class HealthProber(
    BackendRegistry registry,
    BackendActors actors,
    IHttpClientFactory clients,
    ApiKeyCipher cipher,
    IOptions<PoolOptions> options,
    [FromKeyedServices(PoolClock.Key)] TimeProvider clock,
    PoolTelemetry telemetry,
    ILogger<HealthProber> logger) : BackgroundService
{
    public const string HttpClientName = "pool-probe";

    /// <summary>How often the loop looks for due probes; intervals are whole seconds.</summary>
    private static readonly TimeSpan Tick = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<string, DateTimeOffset> _due = new(StringComparer.Ordinal);

    /// <summary>Probes every backend whose probe is due by the policy clock, and reports the results to the actors.</summary>
    /// <exception cref="global::Dapr.DaprException">The registry could not be read.</exception>
    public async Task<IReadOnlyList<ProbeResult>> ProbeDueAsync(CancellationToken cancellationToken)
    {
        var view = await registry.GetAsync(cancellationToken).ConfigureAwait(false);
        var now = clock.GetUtcNow();
        foreach (var gone in _due.Keys.Where(id => view.Backend(id) is not { HealthPath: not null }))
        {
            _due.TryRemove(gone, out _);
        }

        var due = view.Document.Backends.Values
            .Where(b => b.Enabled && b.HealthPath is not null && (!_due.TryGetValue(b.Id, out var at) || at <= now))
            .ToList();
        var results = new ConcurrentBag<ProbeResult>();
        await Parallel.ForEachAsync(
            due,
            new ParallelOptions { MaxDegreeOfParallelism = options.Value.Probing.MaxConcurrency, CancellationToken = cancellationToken },
            async (backend, ct) =>
            {
                _due[backend.Id] = now.AddSeconds(backend.HealthIntervalSeconds);
                results.Add(await ProbeAsync(backend, ct).ConfigureAwait(false));
            }).ConfigureAwait(false);
        return [.. results.OrderBy(r => r.BackendId, StringComparer.Ordinal)];
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Probing.Enabled)
        {
            return;
        }

        try
        {
            await registry.Seeded.WaitAsync(stoppingToken).ConfigureAwait(false);
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await ProbeDueAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // A failed pass must not end probing (nor, as an unhandled BackgroundService error, the host).
                    PoolLog.ProbePassFailed(logger, e);
                }

                await Task.Delay(Tick, clock, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping.
        }
    }

    private async Task<ProbeResult> ProbeAsync(BackendRecord backend, CancellationToken cancellationToken)
    {
        var (passed, statusCode) = await SendProbeAsync(backend, cancellationToken).ConfigureAwait(false);
        telemetry.Probe(backend.Id, passed);
        BackendStatus? status = null;
        try
        {
            status = await actors.ProbeAsync(backend.Id, new ProbeRequest(BackendLimits.Of(backend), passed), cancellationToken).ConfigureAwait(false);
            telemetry.Observe(status);
        }
        catch (BackendActorUnavailableException e)
        {
            PoolLog.ActorUnavailable(logger, backend.Id, "probe", e);
        }

        PoolLog.Probed(logger, backend.Id, passed ? "passed" : "failed", statusCode, status is null ? "unknown" : Names.Of(status.State));
        return new ProbeResult(backend.Id, passed, statusCode, status);
    }

    private async Task<(bool Passed, int? StatusCode)> SendProbeAsync(BackendRecord backend, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.Probing.Timeout);
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(backend.BaseUrl.TrimEnd('/') + backend.HealthPath, UriKind.Absolute));
        if (backend.ApiKey is { } sealedKey && cipher.TryOpen(sealedKey, backend.Id, out var apiKey))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", apiKey);
        }

        try
        {
            using var response = await clients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token).ConfigureAwait(false);
            return (response.IsSuccessStatusCode, (int)response.StatusCode);
        }
        catch (HttpRequestException)
        {
            return (false, null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (false, null);
        }
    }
}
