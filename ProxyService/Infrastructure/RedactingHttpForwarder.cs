using Gateway.ServiceDefaults.Logging;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.ProxyService.Infrastructure;

/// <summary>
/// YARP's forwarder, with its "Proxying to {targetUrl}" line logged by us with the destination's
/// query redacted by <see cref="QueryRedaction"/>: YARP's own line carries the client's query as
/// it came (ServiceDefaults switches it off). The destination is read once the transforms have set
/// it, so it is the URL YARP would have logged; a query credential is added after that, as the
/// request leaves (<c>CredentialQueryHandler</c>), and is never in it.
/// </summary>
internal sealed partial class RedactingHttpForwarder(IHttpForwarder inner, QueryRedaction redaction, ILogger<RedactingHttpForwarder> logger) : IHttpForwarder
{
    /// <summary>Puts this forwarder in front of the one <c>AddHttpForwarder</c> registered.</summary>
    public static IServiceCollection Decorate(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var yarp = services.Last(d => d.ServiceType == typeof(IHttpForwarder));
        var implementation = yarp.ImplementationType ?? throw new InvalidOperationException("AddHttpForwarder registered no implementation type to wrap.");
        services.Remove(yarp);
        services.AddSingleton<IHttpForwarder>(provider => new RedactingHttpForwarder(
            (IHttpForwarder)ActivatorUtilities.CreateInstance(provider, implementation),
            provider.GetRequiredService<QueryRedaction>(),
            provider.GetRequiredService<ILogger<RedactingHttpForwarder>>()));
        return services;
    }

    public ValueTask<ForwarderError> SendAsync(HttpContext context, string destinationPrefix, HttpMessageInvoker httpClient, ForwarderRequestConfig requestConfig, HttpTransformer transformer) =>
        inner.SendAsync(context, destinationPrefix, httpClient, requestConfig, Logged(transformer));

    public ValueTask<ForwarderError> SendAsync(HttpContext context, string destinationPrefix, HttpMessageInvoker httpClient, ForwarderRequestConfig requestConfig, HttpTransformer transformer, CancellationToken cancellationToken) =>
        inner.SendAsync(context, destinationPrefix, httpClient, requestConfig, Logged(transformer), cancellationToken);

    private HttpTransformer Logged(HttpTransformer transformer) =>
        logger.IsEnabled(LogLevel.Information) ? new LoggingTransformer(transformer, this) : transformer;

    private void LogDestination(HttpRequestMessage request) => Proxying(logger, redaction.Redact(request.RequestUri?.AbsoluteUri), request.Version);

    [LoggerMessage(150, LogLevel.Information, "Proxying to {Destination} HTTP/{Version}")]
    private static partial void Proxying(ILogger logger, string destination, Version version);

    /// <summary>The caller's transformer, and the log line once it has set the destination.</summary>
    private sealed class LoggingTransformer(HttpTransformer inner, RedactingHttpForwarder forwarder) : HttpTransformer
    {
        public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
        {
            ArgumentNullException.ThrowIfNull(proxyRequest);
            await inner.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);
            forwarder.LogDestination(proxyRequest);
        }

        public override ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken) =>
            inner.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);

        public override ValueTask TransformResponseTrailersAsync(HttpContext httpContext, HttpResponseMessage proxyResponse, CancellationToken cancellationToken) =>
            inner.TransformResponseTrailersAsync(httpContext, proxyResponse, cancellationToken);
    }
}
