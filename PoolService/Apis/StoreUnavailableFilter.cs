using Dapr;
using Gateway.PoolService.Infrastructure;
using Gateway.ServiceDefaults.Dapr;

namespace Gateway.PoolService.Apis;

/// <summary>
/// Answers 503 <c>store-unavailable</c> (with <c>Retry-After</c>) when a handler could not reach the
/// state store through the sidecar (<see cref="DaprException"/>) or a Backend actor did not
/// answer (<see cref="BackendActorUnavailableException"/>: the SDK's failures, mapped in
/// <see cref="BackendActors"/>), instead of a bare 500; nothing was written in that case, or the
/// write's outcome is re-read by the next request.
/// </summary>
internal sealed class StoreUnavailableFilter(ILogger<StoreUnavailableFilter> logger) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        try
        {
            return await next(context).ConfigureAwait(false);
        }
        catch (Exception e) when (e is DaprException or BackendActorUnavailableException && !context.HttpContext.RequestAborted.IsCancellationRequested)
        {
            PoolLog.StoreUnavailable(logger, e);
            context.HttpContext.Response.Headers.RetryAfter = "1";
            return PoolProblems.StoreUnavailable();
        }
    }
}
