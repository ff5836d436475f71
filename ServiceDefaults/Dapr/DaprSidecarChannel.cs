using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Gateway.ServiceDefaults.Dapr;

/// <summary>How a call may be repeated and bounded; chosen per call by what the call does.</summary>
internal enum SidecarCallPolicy
{
    /// <summary>Sent once, each attempt bounded by <see cref="DaprClientOptions.AttemptTimeout"/>: conditional writes, transactions.</summary>
    OnceBounded,

    /// <summary>Retried on transient failures, each attempt bounded: reads, unconditional last-write saves, unconditional deletes.</summary>
    RetriedBounded,

    /// <summary>Sent once, bounded only by the caller: invocations other than GET/HEAD.</summary>
    Once,

    /// <summary>Retried on transient failures, bounded only by the caller: GET/HEAD invocations.</summary>
    Retried,
}

/// <summary>
/// The one connection to the sidecar shared by the state and invocation clients: a single
/// <see cref="SocketsHttpHandler"/> (the sidecar is one long-lived destination; pooled connections
/// are recycled every two minutes so a DNS change of <c>DAPR_HTTP_ENDPOINT</c> is picked up; no
/// cookies, redirects or decompression, so proxied answers pass through untouched), the API token,
/// and the resilience pipelines, built once.
/// </summary>
internal sealed class DaprSidecarChannel : IDisposable
{
    private const string ApiTokenHeader = "dapr-api-token";

    private static readonly ResiliencePropertyKey<DaprCall> CallKey = new("Gateway.Dapr.Call");

    private readonly HttpClient _http;
    private readonly string _baseAddress;
    private readonly string? _apiToken;
    private readonly ResiliencePipeline<SidecarAttempt>[] _pipelines;

    public DaprSidecarChannel(DaprSidecarOptions sidecar, DaprClientOptions options, ILogger logger, TimeProvider time, IMeterFactory? meterFactory)
    {
        ArgumentNullException.ThrowIfNull(sidecar);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(time);
        if (options.Validate() is [_, ..] problems)
        {
            throw new ArgumentException("Invalid DaprClientOptions: " + string.Join("; ", problems), nameof(options));
        }

        Options = options;
        Json = options.JsonSerializerOptions;
        Logger = logger;
        Telemetry = new DaprClientTelemetry(meterFactory, time);
        var endpoint = sidecar.HttpEndpoint.GetLeftPart(UriPartial.Path);
        _baseAddress = endpoint.EndsWith('/') ? endpoint : endpoint + "/";
        _apiToken = sidecar.ApiToken;
        _http = new HttpClient(
            new SocketsHttpHandler
            {
                UseCookies = false,
                AllowAutoRedirect = false,
                AutomaticDecompression = DecompressionMethods.None,
                PooledConnectionLifetime = TimeSpan.FromMinutes(2),
                ConnectTimeout = options.ConnectTimeout,
            },
            disposeHandler: true)
        {
            // Attempts are bounded by the pipelines (state) or the caller (invocation), never here:
            // HttpClient.Timeout would also cut off a streamed invocation answer.
            Timeout = Timeout.InfiniteTimeSpan,
        };
        _pipelines =
        [
            BuildPipeline(retry: false, bounded: true, options, time),
            BuildPipeline(retry: true, bounded: true, options, time),
            BuildPipeline(retry: false, bounded: false, options, time),
            BuildPipeline(retry: true, bounded: false, options, time),
        ];
    }

    public DaprClientOptions Options { get; }

    public JsonSerializerOptions Json { get; }

    public ILogger Logger { get; }

    public DaprClientTelemetry Telemetry { get; }

    /// <summary>The sidecar URI of a relative, already-encoded API path.</summary>
    public Uri CreateUri(string relativePathAndQuery) =>
        // The path is already encoded exactly as it must go on the wire; canonicalisation would
        // decode some escapes again (e.g. %2E into a dot segment, then dropped).
        new(_baseAddress + relativePathAndQuery, new UriCreationOptions { DangerousDisablePathAndQueryCanonicalization = true });

    /// <summary>True for the failures that mean "no answer": the connection failed or the attempt timed out.</summary>
    public static bool IsNoAnswer(Exception exception) => exception is HttpRequestException or TimeoutRejectedException;

    /// <summary>
    /// Sends a request made fresh by <paramref name="createRequest"/> for each attempt, under
    /// <paramref name="policy"/>. A response answers the call when it is a success or when
    /// <paramref name="isTransient"/> does not claim it; the caller owns the returned response.
    /// Throws <see cref="HttpRequestException"/> or <see cref="TimeoutRejectedException"/> when no
    /// attempt got an answer, <see cref="OperationCanceledException"/> when the caller cancelled.
    /// </summary>
    public async Task<HttpResponseMessage> SendAsync(
        DaprCall call,
        SidecarCallPolicy policy,
        Func<HttpRequestMessage> createRequest,
        Func<HttpResponseMessage, CancellationToken, ValueTask<bool>> isTransient,
        HttpCompletionOption completion,
        CancellationToken cancellationToken)
    {
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        context.Properties.Set(CallKey, call);
        try
        {
            var attempt = await _pipelines[(int)policy].ExecuteAsync(
                async (ctx, _) =>
                {
                    call.AttemptStarted();
                    var request = createRequest();
                    request.Headers.Remove(ApiTokenHeader);
                    if (_apiToken is not null)
                    {
                        request.Headers.TryAddWithoutValidation(ApiTokenHeader, _apiToken);
                    }

                    var response = await _http.SendAsync(request, completion, ctx.CancellationToken).ConfigureAwait(false);
                    try
                    {
                        var transient = !response.IsSuccessStatusCode && await isTransient(response, ctx.CancellationToken).ConfigureAwait(false);
                        return new SidecarAttempt(response, transient);
                    }
                    catch
                    {
                        response.Dispose();
                        throw;
                    }
                },
                context,
                0).ConfigureAwait(false);
            return attempt.Response;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    public void Dispose()
    {
        _http.Dispose();
        Telemetry.Dispose();
    }

    private ResiliencePipeline<SidecarAttempt> BuildPipeline(bool retry, bool bounded, DaprClientOptions options, TimeProvider time)
    {
        var builder = new ResiliencePipelineBuilder<SidecarAttempt> { TimeProvider = time };
        if (retry && options.MaxRetryAttempts > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<SidecarAttempt>
            {
                MaxRetryAttempts = options.MaxRetryAttempts,
                Delay = options.RetryDelay,
                MaxDelay = options.RetryMaxDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = static args => ValueTask.FromResult(args.Outcome switch
                {
                    { Exception: { } e } => IsNoAnswer(e),
                    { Result.IsTransient: true } => true,
                    _ => false,
                }),
                OnRetry = args =>
                {
                    var call = args.Context.Properties.GetValue(CallKey, null!);
                    var failure = args.Outcome.Exception is { } e
                        ? e.GetType().Name
                        : ((int)args.Outcome.Result!.Response.StatusCode).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    DaprClientLog.Retrying(Logger, call?.Operation ?? "call", args.AttemptNumber + 1, failure, (long)args.RetryDelay.TotalMilliseconds);
                    return default;
                },
            });
        }

        if (bounded && options.AttemptTimeout != Timeout.InfiniteTimeSpan)
        {
            builder.AddTimeout(options.AttemptTimeout);
        }

        return builder.Build();
    }

    /// <summary>One attempt's answer and whether it is worth another attempt; disposed by the retry when it is retried.</summary>
    private sealed class SidecarAttempt(HttpResponseMessage response, bool isTransient) : IDisposable
    {
        public HttpResponseMessage Response => response;

        public bool IsTransient => isTransient;

        public void Dispose() => response.Dispose();
    }
}
