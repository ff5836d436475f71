using System.Diagnostics;
using System.Net;
using Gateway.ProxyService.Model;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.ServiceDiscovery.Http;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.ProxyService.Infrastructure.Forwarding;

/// <summary>What came back from a captured exchange with an upstream.</summary>
internal abstract record UpstreamExchange
{
    private UpstreamExchange()
    {
    }

    /// <summary>The upstream answered, whatever the status; the whole body is here.</summary>
    public sealed record Answered(CachedResponse Response) : UpstreamExchange;

    /// <summary>No complete answer: connection refused or reset, silence past the timeout.</summary>
    public sealed record Unreachable(bool TimedOut, string Detail) : UpstreamExchange;

    /// <summary>The answer's body was larger than the bound on tracked answers.</summary>
    public sealed record TooLarge(int StatusCode) : UpstreamExchange;
}

/// <summary>
/// Forwards requests to upstreams with YARP's <see cref="IHttpForwarder"/> over ONE shared
/// <see cref="SocketsHttpHandler"/> (one connection pool for every provider): no proxy, no
/// redirects, no cookies, no decompression, trace headers replaced by the gateway's own. Two
/// modes: streaming (passthrough: request and response bodies flow through) and capture (tracked
/// calls: the request body is given, the answer is read whole, bounded). A destination whose host
/// names a service is resolved through .NET service discovery.
/// </summary>
internal sealed class UpstreamForwarder : IDisposable
{
    private readonly IHttpForwarder _forwarder;
    private readonly HttpMessageInvoker _invoker;
    private readonly ILogger<UpstreamForwarder> _logger;

    public UpstreamForwarder(IHttpForwarder forwarder, IServiceDiscoveryHttpMessageHandlerFactory discovery, IOptions<ProxyOptions> options, ILogger<UpstreamForwarder> logger)
    {
        ArgumentNullException.ThrowIfNull(discovery);
        ArgumentNullException.ThrowIfNull(options);
        _forwarder = forwarder;
        _logger = logger;
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ActivityHeadersPropagator = new ReverseProxyPropagator(DistributedContextPropagator.Current),
            ConnectTimeout = options.Value.ConnectTimeout,

            // Long-lived pool: recycling connections is what lets a provider's DNS changes be seen.
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            EnableMultipleHttp2Connections = true,
        };

        // YARP's forwarder takes an invoker, not an HttpClient, so the service discovery that
        // AddServiceDefaults gives every HttpClient is added here: a provider's host may name a
        // service (http://faketasks), resolved on each request.
        _invoker = new HttpMessageInvoker(discovery.CreateHandler(new CredentialQueryHandler(handler)), disposeHandler: true);
    }

    /// <summary>Streams the request to <paramref name="destination"/> and the answer back to the client.</summary>
    public async Task<ForwarderError> StreamAsync(HttpContext context, string provider, UpstreamTarget target, Uri destination)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(target);
        var transformer = UpstreamTransformer.Streaming(target, destination);
        var error = await _forwarder.SendAsync(context, target.DestinationPrefix, _invoker, Config(target), transformer).ConfigureAwait(false);
        if (error != ForwarderError.None)
        {
            ForwardingLog.ForwardFailed(_logger, provider, error);
        }

        return error;
    }

    /// <summary>
    /// Streams the request with a transformer of the caller's (one that wraps
    /// <see cref="UpstreamTransformer.Streaming"/> to decide, from the status, whether the answer
    /// reaches the client). <see cref="ForwarderError"/> values are the caller's to log.
    /// </summary>
    public Task<ForwarderError> ForwardAsync(HttpContext context, UpstreamTarget target, HttpTransformer transformer)
    {
        ArgumentNullException.ThrowIfNull(target);
        return _forwarder.SendAsync(context, target.DestinationPrefix, _invoker, Config(target), transformer).AsTask();
    }

    /// <summary>
    /// Sends <paramref name="body"/> to <paramref name="destination"/> and reads the whole answer
    /// (at most <paramref name="limit"/> bytes). Nothing is written to the client. The client going
    /// away does not cut the exchange short: its outcome must be recorded (a submit the provider
    /// accepted is a task to bill); the provider's timeout bounds it.
    /// </summary>
    public async Task<UpstreamExchange> ExchangeAsync(HttpContext context, string provider, UpstreamTarget target, Uri destination, byte[] body, int limit)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(target);
        var transformer = UpstreamTransformer.Capturing(target, destination, limit);
        var aborted = context.RequestAborted;
        var originalBody = context.Request.Body;
        context.RequestAborted = CancellationToken.None;
        context.Request.Body = new MemoryStream(body, writable: false);
        ForwarderError error;
        try
        {
            error = await _forwarder.SendAsync(context, target.DestinationPrefix, _invoker, Config(target), transformer).ConfigureAwait(false);
        }
        finally
        {
            context.RequestAborted = aborted;
            context.Request.Body = originalBody;
        }

        // YARP set its own status for a failure; the caller decides the answer.
        context.Response.StatusCode = StatusCodes.Status200OK;
        if (transformer.Captured is { } captured)
        {
            return new UpstreamExchange.Answered(captured);
        }

        if (transformer.CaptureTooLarge)
        {
            ForwardingLog.AnswerTooLarge(_logger, provider, limit);
            return new UpstreamExchange.TooLarge(limit);
        }

        if (transformer.CaptureFailure is { } failure)
        {
            ForwardingLog.AnswerReadFailed(_logger, provider, failure.GetType().Name);
            return new UpstreamExchange.Unreachable(failure is OperationCanceledException, "the answer's body could not be read: " + failure.GetType().Name);
        }

        ForwardingLog.ForwardFailed(_logger, provider, error);
        return new UpstreamExchange.Unreachable(error == ForwarderError.RequestTimedOut, error.ToString());
    }

    public void Dispose() => _invoker.Dispose();

    private static ForwarderRequestConfig Config(UpstreamTarget target) => new() { ActivityTimeout = target.Timeout };
}

internal static partial class ForwardingLog
{
    [LoggerMessage(100, LogLevel.Warning, "Forwarding to provider {Provider} failed: {Error}")]
    public static partial void ForwardFailed(ILogger logger, string provider, ForwarderError error);

    [LoggerMessage(101, LogLevel.Warning, "Provider {Provider} answered a tracked call with more than {Limit} bytes")]
    public static partial void AnswerTooLarge(ILogger logger, string provider, int limit);

    [LoggerMessage(102, LogLevel.Warning, "Reading the answer of provider {Provider} failed ({Failure})")]
    public static partial void AnswerReadFailed(ILogger logger, string provider, string failure);
}
