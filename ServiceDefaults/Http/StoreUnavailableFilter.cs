using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace Gateway.ServiceDefaults.Http;

/// <summary>
/// Answers the service's 503 problem with <c>Retry-After: 1</c>, instead of a bare 500, when a
/// handler could not reach the state store or an actor through the sidecar: the SDK's
/// <see cref="global::Dapr.DaprException"/> (what the state adapter and Dapr.Actors throw). Retrying is safe:
/// the services' writes are single transactions, so such a failure leaves no half-made change,
/// and the outcome of an unconfirmed one is read again by the next request.
/// </summary>
/// <remarks>
/// A failure after the client went away (<see cref="HttpContext.RequestAborted"/>) is left to the
/// framework: nobody reads the answer, and the cancellation, not the store, is its cause. The
/// failure is logged with its exception; the answer never carries the exception's message.
/// </remarks>
public sealed partial class StoreUnavailableFilter : IEndpointFilter
{
    private readonly ILogger _logger;
    private readonly Func<IResult> _unavailable;

    /// <param name="logger">Where the failure is logged (event 1, error).</param>
    /// <param name="unavailable">The service's 503 problem, made anew for each failure.</param>
    public StoreUnavailableFilter(ILogger<StoreUnavailableFilter> logger, Func<IResult> unavailable)
    {
        ArgumentNullException.ThrowIfNull(logger);
        ArgumentNullException.ThrowIfNull(unavailable);
        _logger = logger;
        _unavailable = unavailable;
    }

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var http = context.HttpContext;
        try
        {
            return await next(context).ConfigureAwait(false);
        }
        catch (global::Dapr.DaprException e) when (!http.RequestAborted.IsCancellationRequested)
        {
            StoreUnavailable(_logger, http.Request.Method, (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText ?? "(no route)", e);
            http.Response.Headers[HeaderNames.RetryAfter] = "1";
            return _unavailable();
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Error, Message = "{Method} {Route} failed: the state store could not be reached through the sidecar; answered 503")]
    private static partial void StoreUnavailable(ILogger logger, string method, string route, Exception exception);
}
