using Dapr;
using Gateway.BillingService.Infrastructure;
using Gateway.ServiceDefaults.Dapr;
using Microsoft.Net.Http.Headers;

namespace Gateway.BillingService.Apis;

/// <summary>
/// Answers 503 (retry later) when the sidecar or store fails a read, instead of a bare 500: such
/// a failure never leaves a half-made change behind (writes are single transactions), so
/// retrying is safe.
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
        catch (DaprException e)
        {
            BillingLog.StoreUnavailable(logger, e);
            context.HttpContext.Response.Headers[HeaderNames.RetryAfter] = "1";
            return BillingProblems.StoreUnavailable();
        }
    }
}
