using Gateway.ProxyService.Infrastructure;
using Gateway.ProxyService.Infrastructure.Forwarding;

namespace Gateway.ProxyService.Services;

/// <summary>A provider as the proxy uses it: configuration validated, paths compiled, credential resolved.</summary>
internal sealed record ProviderDefinition(
    string Name,
    UpstreamTarget Target,
    BillingPolicy Billing,
    long MaxRequestBodyBytes,
    IReadOnlyList<JsonPath> ErrorCodePaths,
    IReadOnlyList<SubmitRoute> SubmitRoutes,
    IReadOnlyList<QueryRoute> QueryRoutes)
{
    /// <summary>The first submit route, then the first query route, that matches; else passthrough.</summary>
    public RouteMatch Classify(string method, string path)
    {
        foreach (var route in SubmitRoutes)
        {
            if (string.Equals(route.Method, method, StringComparison.OrdinalIgnoreCase) && route.Path.IsMatch(path))
            {
                return new RouteMatch.Submit(route);
            }
        }

        foreach (var route in QueryRoutes)
        {
            if (string.Equals(route.Method, method, StringComparison.OrdinalIgnoreCase) && route.Path.IsMatch(path))
            {
                return new RouteMatch.Query(route);
            }
        }

        return RouteMatch.Passthrough.Instance;
    }
}

/// <summary>The billing settings of a provider (see <see cref="ProviderBillingOptions"/>).</summary>
internal sealed record BillingPolicy(BillingMode Mode, long DefaultAmount, string AmountType, TimeSpan ReservationTtl, decimal UsageMultiplier);
