using Dapr;
using Dapr.Client;
using Microsoft.Extensions.Http.Resilience;
using Polly;
using Polly.Retry;

namespace Gateway.ProxyService.Infrastructure;

/// <summary>
/// HttpClients that call another Dapr app through this app's sidecar, the Dapr SDK's way: a
/// request to <c>http://{appId}/{path}</c> is turned by the SDK's <see cref="InvocationHandler"/>
/// into <c>/v1.0/invoke/{appId}/method/{path}</c> on the sidecar.
/// </summary>
/// <remarks>
/// <para>
/// The sidecar's address is the SDK's reading of <c>DAPR_HTTP_ENDPOINT</c>, else
/// <c>DAPR_HTTP_PORT</c> on <c>localhost</c>, from the configuration then the environment; the
/// AppHost and the test launchers set <c>DAPR_HTTP_ENDPOINT</c> on 127.0.0.1, where the sidecars
/// listen. The handler takes <c>DAPR_API_TOKEN</c> from the environment itself (its setter is
/// internal in SDK 1.19.1); daprd, the AppHost and the launchers all pass it there.
/// </para>
/// <para>
/// The SDK sets no timeout and retries nothing: each client adds a resilience handler whose retry
/// is <see cref="SafeRetry"/>.
/// </para>
/// </remarks>
internal static class DaprInvocation
{
    /// <summary>
    /// Marks a request whose method is not safe but which may be sent again after a transient
    /// failure, because the callee deduplicates it (a reserve carries an idempotency key).
    /// </summary>
    public static readonly HttpRequestOptionsKey<bool> Repeatable = new("Gateway.Dapr.Repeatable");

    /// <summary>
    /// Registers the named HttpClient <paramref name="name"/>, addressed to <paramref name="appId"/>
    /// through the sidecar; add its resilience handler on the result.
    /// </summary>
    /// <remarks>
    /// A named client rather than a typed one: its users are singletons, which create the client
    /// per call from <see cref="IHttpClientFactory"/>, so handlers rotate as the factory intends
    /// and the app id (an option validated at start) is read only when a call is made.
    /// </remarks>
    public static IHttpClientBuilder AddDaprInvocationClient(this IServiceCollection services, string name, Func<IServiceProvider, string> appId, Action<HttpClient, IServiceProvider>? configureClient = null)
    {
        ArgumentNullException.ThrowIfNull(appId);
        return services.AddHttpClient(name, (provider, client) =>
            {
                client.BaseAddress = new Uri("http://" + appId(provider));
                configureClient?.Invoke(client, provider);
            })
            .UseSocketsHttpHandler((handler, _) =>
            {
                handler.UseProxy = false;
                handler.AllowAutoRedirect = false;
                handler.UseCookies = false;
                handler.ConnectTimeout = TimeSpan.FromSeconds(5);
            })

            // First in the chain: the request leaves addressed to the sidecar before the service
            // discovery handler that AddServiceDefaults gives every client could take the app id for
            // a service name and send the call around the sidecar.
            .ConfigureAdditionalHttpMessageHandlers((handlers, provider) => handlers.Insert(0, new InvocationHandler
            {
                DaprEndpoint = DaprDefaults.GetDefaultHttpEndpoint(provider.GetService<IConfiguration>()),
                DefaultAppId = appId(provider),
            }));
    }

    /// <summary>
    /// Retries of calls that are safe to repeat: GET and HEAD, and requests marked
    /// <see cref="Repeatable"/>; only after a transient failure (no answer, a timed-out attempt,
    /// 5xx, 408 or 429). Every other call is sent once: the callee may have acted on it. Delays
    /// are at most 2 s; a <c>Retry-After</c> is not waited for, as the caller's time budget is short.
    /// </summary>
    public static HttpRetryStrategyOptions SafeRetry(int retries, DelayBackoffType backoff, TimeSpan delay, Func<OnRetryArguments<HttpResponseMessage>, ValueTask>? onRetry = null) => new()
    {
        MaxRetryAttempts = retries,
        BackoffType = backoff,
        Delay = delay,
        UseJitter = backoff == DelayBackoffType.Exponential,
        MaxDelay = TimeSpan.FromSeconds(2),
        ShouldRetryAfterHeader = false,
        ShouldHandle = args => ValueTask.FromResult(IsRepeatable(args.Context.GetRequestMessage()) && HttpClientResiliencePredicates.IsTransient(args.Outcome)),
        OnRetry = onRetry,
    };

    /// <summary>Says why an attempt got no usable answer, for a log line: a status or an exception's type, never a body.</summary>
    public static string Describe(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: { } e } => e.GetType().Name,
        { Result: { } response } => $"answered {((int)response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture)}",
        _ => "no outcome",
    };

    private static bool IsRepeatable(HttpRequestMessage? request) =>
        request is not null
        && (request.Method == HttpMethod.Get || request.Method == HttpMethod.Head || (request.Options.TryGetValue(Repeatable, out var repeatable) && repeatable));
}
