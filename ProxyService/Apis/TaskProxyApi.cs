using Dapr;
using System.Diagnostics;
using Gateway.ServiceDefaults.Security;
using Gateway.ProxyService.Infrastructure;
using Gateway.ProxyService.Infrastructure.Forwarding;
using Gateway.ProxyService.Model;
using Gateway.ProxyService.Services;
using Gateway.ServiceDefaults.Dapr;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.ProxyService.Apis;

/// <summary>
/// <c>ANY /api/proxy/{provider}/{**path}</c>: the task proxy (ARCHITECTURE.md section 5a). A
/// request matching one of the provider's submit routes starts a billed task, one matching a
/// query route reads its status (routes matched on the path as the provider reads it: its
/// <see cref="PathMatching"/>), one the passthrough policy allows is passed through unbilled with
/// its answer streamed, and anything else is refused with 404 or 405, never forwarded.
/// </summary>
internal static class TaskProxyApi
{
    /// <summary>Segments before the forwarded path: <c>/api</c>, <c>/proxy</c>, <c>/{provider}</c>.</summary>
    private const int PrefixSegments = 3;


    public static IEndpointRouteBuilder MapTaskProxyApi(this IEndpointRouteBuilder app)
    {
        app.Map("/api/proxy/{provider}/{**path}", ProxyAsync).AllowWithoutAppApiToken();
        return app;
    }

    /// <summary>
    /// 404 unknown or disabled provider; 400 a path that could leave the provider (traversal,
    /// encoded slashes, absolute URLs, control characters), a header value that is not printable
    /// ASCII, or a bad gateway header; 404 or 405 (with <c>Allow</c>) a request that is neither a
    /// submit, a query nor an allowed passthrough; 413 a body over the provider's limit (400 or 408
    /// a body broken or stalled, answered by the framework), all before anything is forwarded;
    /// otherwise the provider's answer, or a problem saying why there is none (402/400/409 from
    /// billing passed on, 503 billing or ledger unavailable, 502/504 provider).
    /// </summary>
    public static async Task<Results<LedgerAnswerResult, ProblemHttpResult, EmptyHttpResult>> ProxyAsync(
        string provider,
        HttpContext context,
        ProviderCatalog catalog,
        TaskSubmitter submitter,
        TaskPoller poller,
        UpstreamForwarder forwarder,
        ProxyTelemetry telemetry,
        ILoggerFactory loggers)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(telemetry);
        ArgumentNullException.ThrowIfNull(loggers);

        // A provider's empty 404 or 500 is its answer: the status-code pages must not dress it up.
        if (context.Features.Get<IStatusCodePagesFeature>() is { } pages)
        {
            pages.Enabled = false;
        }

        // Checked before the provider: the server removed any '..' before routing, so the provider
        // named by the route may not be the one the client wrote.
        if (!ForwardPath.TryParse(context.Features.Get<IHttpRequestFeature>()?.RawTarget, PrefixSegments, out var path, out var why))
        {
            return ProxyProblems.InvalidPath(why).ToResult();
        }

        if (!catalog.TryGet(provider, out var definition))
        {
            return ProxyProblems.UnknownProvider(provider).ToResult();
        }

        if (context.Features.Get<IHttpUpgradeFeature>() is { IsUpgradableRequest: true } || context.Features.Get<IHttpExtendedConnectFeature>() is { IsExtendedConnect: true })
        {
            return ProxyProblems.UpgradeNotSupported().ToResult();
        }

        if (path.RepeatedSlashes && !definition.Matching.CollapseRepeatedSlashes)
        {
            return ProxyProblems.InvalidPath("the path has an empty segment ('//')").ToResult();
        }

        // HttpClient refuses to send such a value (a 502 after the fact); refused here, it is a 400.
        if (FirstNonAsciiHeader(context.Request.Headers) is { } header)
        {
            return ProxyProblems.InvalidHeaderValue(header).ToResult();
        }

        if (path.ToUpstreamUri(definition.Target, definition.Target.Credential.QueryParameter) is not { } destination)
        {
            return ProxyProblems.InvalidPath("it would leave the provider's base URL").ToResult();
        }

        var segments = definition.Matching.Segments(path.Path);
        var match = definition.Classify(context.Request.Method, segments);
        switch (match)
        {
            case RouteMatch.NotFound:
                telemetry.CountRequest(definition.Name, "refused", "unknown_route");
                return ProxyProblems.UnknownRoute().ToResult();
            case RouteMatch.MethodNotAllowed notAllowed:
                telemetry.CountRequest(definition.Name, "refused", "method_not_allowed");
                context.Response.Headers.Allow = string.Join(", ", notAllowed.Allow);
                return ProxyProblems.MethodNotAllowed(notAllowed.Allow).ToResult();
        }

        var limit = definition.MaxRequestBodyBytes;
        if (context.Request.ContentLength > limit)
        {
            return ProxyProblems.BodyTooLarge(limit).ToResult();
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = limit;
        }

        var kind = match switch
        {
            RouteMatch.Submit => "submit",
            RouteMatch.Query => "query",
            _ => "passthrough",
        };
        try
        {
            if (match is RouteMatch.Passthrough)
            {
                // Read whole first: a body over the limit or broken midway never reaches the provider.
                if (!await RequestBody.BufferAsync(context.Request, limit))
                {
                    return ProxyProblems.BodyTooLarge(limit).ToResult();
                }

                var error = await forwarder.StreamAsync(context, definition.Name, definition.Target, destination);
                telemetry.CountRequest(definition.Name, kind, error == ForwarderError.None ? "forwarded" : error.ToString());
                if (error == ForwarderError.None || context.Response.HasStarted)
                {
                    return TypedResults.Empty;
                }

                return (context.Response.StatusCode switch
                {
                    StatusCodes.Status504GatewayTimeout => ProxyProblems.ProviderTimeout(),
                    _ => ProxyProblems.ProviderUnreachable(),
                }).ToResult();
            }

            var body = await RequestBody.ReadAsync(context.Request, limit);
            if (body is null)
            {
                return ProxyProblems.BodyTooLarge(limit).ToResult();
            }

            var answer = match switch
            {
                RouteMatch.Submit submit => await submitter.SubmitAsync(context, definition, submit.Route, path, destination, body),
                RouteMatch.Query query => await poller.QueryAsync(context, definition, query.Route, segments, destination, body),
                _ => throw new UnreachableException("Only submits and queries are tracked."),
            };
            telemetry.CountRequest(definition.Name, kind, answer.Response.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return new LedgerAnswerResult(answer.Response, answer.CallId, answer.Replayed);
        }
        catch (DaprException e)
        {
            ProxyLog.LedgerUnavailable(loggers.CreateLogger(typeof(TaskProxyApi).FullName!), e);
            telemetry.CountRequest(definition.Name, kind, "ledger_unavailable");
            context.Response.Headers.RetryAfter = "1";
            return ProxyProblems.LedgerUnavailable().ToResult();
        }
    }

    /// <summary>
    /// The name of the first header whose value has a character outside printable ASCII, if any:
    /// RFC 9110's field-vchar, space and tab, without obs-text (which HttpClient would not send).
    /// </summary>
    private static string? FirstNonAsciiHeader(IHeaderDictionary headers)
    {
        foreach (var (name, values) in headers)
        {
            foreach (var value in values)
            {
                if (value is not null && !value.All(c => c is '\t' or (>= ' ' and <= '~')))
                {
                    return name;
                }
            }
        }

        return null;
    }
}
