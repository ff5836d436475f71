using Gateway.ServiceDefaults.Security;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Gateway.ProxyService.Infrastructure;
using Gateway.ProxyService.Model;
using Gateway.ProxyService.Services;
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
        app.MapGet("/api/calls/{callId}", GetCallAsync).AddEndpointFilter<OperatorTokenFilter>().AllowWithoutAppApiToken();
        return app;
    }

    /// <summary>200 with the call (no credential, header or body in it); 404 unknown; 401 without the operator token.</summary>
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

/// <summary>
/// Lets a request through only with <c>Authorization: Bearer {Proxy:OperatorToken}</c>. Both sides
/// are hashed before the constant-time comparison, so neither the content nor the length of the
/// token leaks through timing. Without a configured token: 404, the operator API is off.
/// </summary>
internal sealed class OperatorTokenFilter(IOptions<ProxyOptions> options) : IEndpointFilter
{
    private const string Scheme = "Bearer ";

    private readonly byte[] _expected = SHA256.HashData(Encoding.UTF8.GetBytes(options.Value.OperatorToken?.Trim() ?? ""));

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (options.Value.OperatorToken is null)
        {
            return ValueTask.FromResult<object?>(TypedResults.NotFound());
        }

        var header = context.HttpContext.Request.Headers.Authorization.ToString();
        if (header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)
            && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(header[Scheme.Length..].Trim())), _expected))
        {
            return next(context);
        }

        context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
        return ValueTask.FromResult<object?>(ProxyProblems.OperatorUnauthorized().ToResult());
    }
}
