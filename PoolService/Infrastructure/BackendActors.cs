using System.Collections.Concurrent;
using System.Security.Authentication;
using System.Text.Json;
using Dapr.Actors;
using Dapr.Actors.Client;
using Dapr.Actors.Communication;
using Gateway.PoolService.Model;
using Gateway.PoolService.Services;

namespace Gateway.PoolService.Infrastructure;

/// <summary>Typed calls to <see cref="BackendActor"/> through this replica's sidecar, wherever the actor is hosted.</summary>
/// <remarks>
/// <para><b>Typed proxies with JSON remoting, one per backend id, cached.</b> Each call goes through
/// an <see cref="IBackendActor"/> proxy made once by the <see cref="IActorProxyFactory"/> (making
/// one per call rebuilds its serialisers), its message and answer as JSON (camelCase web
/// defaults, as the rest of our JSON). Chosen over non-remoting
/// <see cref="ActorProxy.InvokeMethodAsync{TRequest, TResponse}(string, TRequest, CancellationToken)"/>
/// by measured cost. <c>Pool.Bench proxies</c> (bench/README.md: <c>GetStatusAsync</c> from another
/// process through PoolService's LocalSidecar, one call at a time, the ways alternated; four runs
/// on 2 cores under a load average of 6 to 24 from other jobs, 2026-12-03) gave per call, caller
/// + host + sidecar CPU: typed and cached 617 to 674 µs, non-remoting and cached 650 to 849 µs
/// (typed 5 to 21 % less, and less in each of the three processes in every run); wall time 346 to
/// 499 µs against 387 to 685 µs. The typed proxy allocates more in the caller (11.8 KiB per call
/// against 5.7 KiB). A typed proxy made per call costs 1,005 to 1,390 µs (caller CPU 700 to 860
/// µs, 125 KiB), hence the cache. The SDK's host side answers a remoting call with one compiled dispatcher and one write, a
/// non-remoting one through <c>dynamic</c>, reflection and a streamed answer. Either needs the
/// interface and its messages public (see <see cref="IBackendActor"/>).</para>
/// <para><b>Sent once, bounded by the caller.</b> The SDK retries nothing and, unless told, gives
/// up after HttpClient's 100 s; like the hand-written client before it, a call here has no timeout
/// of its own (the actor may have acted, so it is not repeated; the caller's token bounds it) and
/// connecting to the sidecar is bounded by <see cref="ConnectTimeout"/>.</para>
/// </remarks>
internal sealed class BackendActors(IActorProxyFactory proxies)
{
    /// <summary>Time allowed to open a connection to the sidecar (as the Dapr client of ServiceDefaults allows).</summary>
    public static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, IBackendActor> _proxies = new(StringComparer.Ordinal);

    /// <exception cref="BackendActorUnavailableException">The actor could not be reached or failed.</exception>
    public Task<AcquireAnswer> AcquireAsync(string backendId, AcquireRequest request, CancellationToken cancellationToken) =>
        InvokeAsync(backendId, nameof(IBackendActor.AcquireAsync), actor => actor.AcquireAsync(request, cancellationToken), cancellationToken);

    /// <exception cref="BackendActorUnavailableException">The actor could not be reached or failed.</exception>
    public Task<ReportAnswer> ReportAsync(string backendId, ReportRequest request, CancellationToken cancellationToken) =>
        InvokeAsync(backendId, nameof(IBackendActor.ReportAsync), actor => actor.ReportAsync(request, cancellationToken), cancellationToken);

    /// <exception cref="BackendActorUnavailableException">The actor could not be reached or failed.</exception>
    public Task<BackendStatus> ProbeAsync(string backendId, ProbeRequest request, CancellationToken cancellationToken) =>
        InvokeAsync(backendId, nameof(IBackendActor.ReportProbeAsync), actor => actor.ReportProbeAsync(request, cancellationToken), cancellationToken);

    /// <exception cref="BackendActorUnavailableException">The actor could not be reached or failed.</exception>
    public Task<BackendStatus> StatusAsync(string backendId, BackendLimits limits, CancellationToken cancellationToken) =>
        InvokeAsync(backendId, nameof(IBackendActor.GetStatusAsync), actor => actor.GetStatusAsync(limits, cancellationToken), cancellationToken);

    /// <summary>
    /// The proxy factory of this service: the SDK's, over one connection pool to the sidecar that
    /// bounds connecting and keeps no cookies, JSON remoting with the JSON of the rest of the
    /// service, no request timeout.
    /// Registered before <c>AddActors</c>, which then uses it too (it only adds a factory when none is registered).
    /// </summary>
    public static ActorProxyFactory CreateFactory(IConfiguration configuration) => new(
        new ActorProxyOptions
        {
            HttpEndpoint = SidecarEndpoint(configuration),
            DaprApiToken = global::Dapr.DaprDefaults.GetDefaultDaprApiToken(configuration),
            JsonSerializerOptions = PoolJson.Options,
            UseJsonSerialization = true,
            RequestTimeout = Timeout.InfiniteTimeSpan,
        },
        new SocketsHttpHandler
        {
            UseCookies = false,
            AllowAutoRedirect = false,
            ConnectTimeout = ConnectTimeout,

            // The sidecar is one long-lived destination: recycle connections so a DNS change of
            // DAPR_HTTP_ENDPOINT is picked up.
            PooledConnectionLifetime = TimeSpan.FromMinutes(2),
        });

    /// <summary>
    /// The sidecar's HTTP endpoint as the SDK finds it (<c>DAPR_HTTP_ENDPOINT</c>, else
    /// <c>DAPR_HTTP_PORT</c> on localhost), without the trailing slash the SDK leaves on it, which
    /// would put <c>//v1.0/...</c> on the wire.
    /// </summary>
    public static string SidecarEndpoint(IConfiguration configuration) =>
        global::Dapr.DaprDefaults.GetDefaultHttpEndpoint(configuration).TrimEnd('/');

    private async Task<TAnswer> InvokeAsync<TAnswer>(string backendId, string method, Func<IBackendActor, Task<TAnswer>> call, CancellationToken cancellationToken)
    {
        var proxy = _proxies.GetOrAdd(backendId, static (id, factory) => factory.CreateActorProxy<IBackendActor>(new ActorId(id), BackendActor.TypeName), proxies);
        TAnswer? answer;
        try
        {
            answer = await call(proxy).ConfigureAwait(false);
        }
        catch (Exception e) when (IsUnavailable(e, cancellationToken))
        {
            throw new BackendActorUnavailableException($"The Backend actor '{backendId}' did not answer {method}: {e.GetType().Name}.", e);
        }

        return answer ?? throw new BackendActorUnavailableException($"The Backend actor '{backendId}' answered {method} with nothing.");
    }

    /// <summary>
    /// What the SDK throws when the call did not produce an answer: the sidecar or the actor refused
    /// or failed (<see cref="global::Dapr.DaprApiException"/>, <see cref="ActorMethodInvocationException"/>
    /// among them; <see cref="ActorInvokeException"/> when the actor's error could not be read), a
    /// wrong API token, no connection, a timeout that is not the caller's
    /// cancellation. An answer that is not the expected JSON is a bug, not an outage: it stays a <see cref="JsonException"/>.
    /// </summary>
    private static bool IsUnavailable(Exception e, CancellationToken cancellationToken) => e switch
    {
        global::Dapr.DaprException or ActorInvokeException or AuthenticationException or HttpRequestException => true,
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };
}
