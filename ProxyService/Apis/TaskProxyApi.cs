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
/// query route reads its status, anything else is passed through, streamed, unbilled.
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
    /// encoded slashes, absolute URLs, control characters) or a bad gateway header; 413 a body over
    /// the provider's limit; otherwise the provider's answer, or a problem saying why there is none
    /// (402/400/409 from billing passed on, 503 billing or ledger unavailable, 502/504 provider).
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

        if (path.ToUpstreamUri(definition.Target, definition.Target.Credential.QueryParameter) is not { } destination)
        {
            return ProxyProblems.InvalidPath("it would leave the provider's base URL").ToResult();
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

        var match = definition.Classify(context.Request.Method, path.Path);
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
                var error = await forwarder.StreamAsync(context, definition.Name, definition.Target, destination);
                telemetry.CountRequest(definition.Name, kind, error == ForwarderError.None ? "forwarded" : error.ToString());
                if (error == ForwarderError.None || context.Response.HasStarted)
                {
                    return TypedResults.Empty;
                }

                return (context.Response.StatusCode switch
                {
                    StatusCodes.Status413PayloadTooLarge => ProxyProblems.BodyTooLarge(limit),
                    StatusCodes.Status504GatewayTimeout => ProxyProblems.ProviderTimeout(),
                    _ => ProxyProblems.ProviderUnreachable(),
                }).ToResult();
            }

            var body = await ReadBodyAsync(context.Request, limit);
            if (body is null)
            {
                return ProxyProblems.BodyTooLarge(limit).ToResult();
            }

            var answer = match switch
            {
                RouteMatch.Submit submit => await submitter.SubmitAsync(context, definition, submit.Route, path, destination, body),
                RouteMatch.Query query => await poller.QueryAsync(context, definition, query.Route, path, destination, body),
                _ => throw new InvalidOperationException("Unknown route match."),
            };
            telemetry.CountRequest(definition.Name, kind, answer.Response.StatusCode.ToString(System.Globalization.CultureInfo.InvariantCulture));
            return new LedgerAnswerResult(answer.Response, answer.CallId, answer.Replayed);
        }
        catch (DaprApiException e)
        {
            ProxyLog.LedgerUnavailable(loggers.CreateLogger(typeof(TaskProxyApi).FullName!), e);
            telemetry.CountRequest(definition.Name, kind, "ledger_unavailable");
            context.Response.Headers.RetryAfter = "1";
            return ProxyProblems.LedgerUnavailable().ToResult();
        }
    }

    /// <summary>The whole body, or null when it is longer than <paramref name="limit"/>.</summary>
    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, long limit)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        try
        {
            while (true)
            {
                var read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted);
                if (read == 0)
                {
                    return buffer.ToArray();
                }

                buffer.Write(chunk, 0, read);
                if (buffer.Length > limit)
                {
                    return null;
                }
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return null;
        }
    }
}
