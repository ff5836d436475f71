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
    IReadOnlyList<QueryRoute> QueryRoutes,
    PathMatching Matching,
    PassthroughPolicy Passthrough)
{
    /// <summary>
    /// The first submit route, then the first query route, whose method is <paramref name="method"/>
    /// exactly and whose path matches <paramref name="segments"/> (read by <see cref="Matching"/>);
    /// else passthrough when the passthrough policy covers both; else 405 when some route or the
    /// passthrough covers the path with another method; else 404. Nothing but a match is forwarded.
    /// </summary>
    public RouteMatch Classify(string method, IReadOnlyList<string> segments)
    {
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(segments);
        var submit = SubmitRoutes.Where(route => route.Path.IsMatch(segments, Matching)).ToList();
        if (submit.Find(route => route.Method == method) is { } submitRoute)
        {
            return new RouteMatch.Submit(submitRoute);
        }

        var query = QueryRoutes.Where(route => route.Path.IsMatch(segments, Matching)).ToList();
        if (query.Find(route => route.Method == method) is { } queryRoute)
        {
            return new RouteMatch.Query(queryRoute);
        }

        var passthrough = Passthrough.Covers(segments, Matching);
        if (passthrough && Passthrough.Methods.Contains(method))
        {
            return RouteMatch.Passthrough.Instance;
        }

        IEnumerable<string> allowed = [.. submit.Select(r => r.Method), .. query.Select(r => r.Method), .. passthrough ? Passthrough.Methods : []];
        var allow = allowed.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        return allow.Count > 0 ? new RouteMatch.MethodNotAllowed(allow) : RouteMatch.NotFound.Instance;
    }

    /// <summary><see cref="Classify(string, IReadOnlyList{string})"/> of a decoded path.</summary>
    public RouteMatch Classify(string method, string path) => Classify(method, Matching.Segments(path));
}

/// <summary>The billing settings of a provider (see <see cref="ProviderBillingOptions"/>).</summary>
internal sealed record BillingPolicy(BillingMode Mode, long DefaultAmount, string AmountType, TimeSpan ReservationTtl, decimal UsageMultiplier);
