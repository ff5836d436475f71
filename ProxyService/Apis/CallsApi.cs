using Gateway.ServiceDefaults.Security;
using System.Text.RegularExpressions;
using Gateway.ProxyService.Infrastructure;
using Gateway.ProxyService.Model;
using Gateway.ProxyService.Services;
using Gateway.ServiceDefaults.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace Gateway.ProxyService.Apis;

/// <summary>
/// <c>GET /api/calls/{proxyCallId}</c>: a tracked call as operators see it. Needs
/// <c>Authorization: Bearer {Proxy:OperatorToken}</c>; without a configured token it answers 404 as
/// if it did not exist, never open.
/// </summary>
internal static partial class CallsApi
{
    public static IEndpointRouteBuilder MapCallsApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);

        // Mapped whatever the configuration: reading the options here would validate them before the
        // host starts, and report only this section's problems instead of all of them.
        app.MapGet("/api/calls/{callId}", GetCallAsync)
            .RequireBearerToken(services => services.GetRequiredService<IOptions<ProxyOptions>>().Value.OperatorToken, () => ProxyProblems.OperatorUnauthorized().ToResult())
            .AnswerStoreUnavailableWith(() => ProxyProblems.LedgerUnavailable().ToResult())
            .AllowWithoutAppApiToken();
        return app;
    }

    /// <summary>
    /// 200 with the call (no credential, header or body in it); 404 unknown; 401 without the
    /// operator token; 503 <c>ledger-unavailable</c> (with <c>Retry-After</c>) when the ledger cannot be read.
    /// </summary>
    public static async Task<Results<Ok<CallView>, ProblemHttpResult>> GetCallAsync(string callId, CallLedger ledger, HttpContext context)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(context);
        if (!CallIdPattern().IsMatch(callId) || await ledger.GetAsync(callId, context.RequestAborted) is not { } record)
        {
            return ProxyProblems.CallNotFound(callId).ToResult();
        }

        context.Response.Headers[Infrastructure.Forwarding.GatewayHeaders.CallId] = record.CallId;
        return TypedResults.Ok(CallView.From(record));
    }

    [GeneratedRegex("^call_[0-9a-f]{32}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex CallIdPattern();
}
