using System.Text.Json;
using Gateway.ServiceDefaults;
using Gateway.ServiceDefaults.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gateway.ProxyService.Model;

/// <summary>
/// A problem (RFC 9457) the gateway itself answers with. <see cref="Type"/> is stable and clients
/// branch on it; the body also carries a snake_case <c>code</c> with the same meaning. Never
/// carries a credential, a header or an upstream URL.
/// </summary>
internal sealed record ProxyProblem(int Status, string Type, string Code, string Title, string Detail)
{
    public ProblemHttpResult ToResult() => ProblemResults.Problem(Status, Type, Code, Title, Detail);

    /// <summary>The problem as a stored answer, for the ledger to replay it.</summary>
    public CachedResponse ToCached() => new(
        Status,
        [new HeaderValues("Content-Type", ["application/problem+json"])],
        JsonSerializer.SerializeToUtf8Bytes(new { type = Type, title = Title, status = Status, detail = Detail, code = Code }));
}

/// <summary>The problems of the task proxy and the operator API.</summary>
internal static class ProxyProblems
{
    private const string Prefix = "urn:gateway:problem:proxy:";

    public const string UnknownProviderType = Prefix + "unknown-provider";
    public const string InvalidPathType = Prefix + "invalid-path";
    public const string BodyTooLargeType = Prefix + "body-too-large";
    public const string ThreadIdRequiredType = Prefix + "thread-id-required";
    public const string InvalidHeaderType = Prefix + "invalid-header";
    public const string IdempotencyConflictType = Prefix + "idempotency-conflict";
    public const string IdempotencyInProgressType = Prefix + "idempotency-in-progress";
    public const string BillingUnavailableType = Prefix + "billing-unavailable";
    public const string ProviderUnreachableType = Prefix + "provider-unreachable";
    public const string ProviderTimeoutType = Prefix + "provider-timeout";
    public const string ResponseTooLargeType = Prefix + "response-too-large";
    public const string LedgerUnavailableType = Prefix + "ledger-unavailable";
    public const string UpgradeNotSupportedType = Prefix + "upgrade-not-supported";
    public const string OperatorUnauthorizedType = Prefix + "operator-unauthorized";
    public const string UnknownRouteType = Prefix + "unknown-route";
    public const string MethodNotAllowedType = Prefix + "method-not-allowed";

    public static ProxyProblem UnknownProvider(string name) =>
        new(StatusCodes.Status404NotFound, UnknownProviderType, "unknown_provider", "Unknown provider", $"No enabled provider is named '{Printable(name)}'.");

    public static ProxyProblem InvalidPath(string why) =>
        new(StatusCodes.Status400BadRequest, InvalidPathType, "invalid_path", "Path not forwarded", $"The request was not forwarded: {why}.");

    public static ProxyProblem BodyTooLarge(long limit) =>
        new(StatusCodes.Status413PayloadTooLarge, BodyTooLargeType, "body_too_large", "Request body too large", $"The provider accepts request bodies of at most {limit} bytes.");

    public static ProxyProblem ThreadIdRequired() =>
        new(StatusCodes.Status400BadRequest, ThreadIdRequiredType, "thread_id_required", "X-Thread-Id required", "This provider's tasks are billed: name the billing account in the X-Thread-Id header.");

    public static ProxyProblem InvalidHeader(string header, string rule) =>
        new(StatusCodes.Status400BadRequest, InvalidHeaderType, "invalid_header", $"Invalid {header}", $"The {header} header must be {rule}.");

    public static ProxyProblem InvalidHeaderValue(string header) =>
        new(StatusCodes.Status400BadRequest, InvalidHeaderType, "invalid_header", "Invalid header value", $"The value of the {Printable(header)} header must be printable ASCII; the request was not forwarded.");

    public static ProxyProblem UnknownRoute() =>
        new(StatusCodes.Status404NotFound, UnknownRouteType, "unknown_route", "Route not forwarded", "This provider has no route and no passthrough path for this path; the request was not forwarded.");

    public static ProxyProblem MethodNotAllowed(IReadOnlyList<string> allow) =>
        new(StatusCodes.Status405MethodNotAllowed, MethodNotAllowedType, "method_not_allowed", "Method not allowed", $"This path is forwarded only for {string.Join(", ", allow)} (see Allow); the request was not forwarded.");

    public static ProxyProblem IdempotencyConflict() =>
        new(StatusCodes.Status409Conflict, IdempotencyConflictType, "idempotency_conflict", "Idempotency key reused", "This X-Idempotency-Key was already used with a different request; the provider was not called.");

    public static ProxyProblem IdempotencyInProgress() =>
        new(StatusCodes.Status409Conflict, IdempotencyInProgressType, "idempotency_in_progress", "Request in progress", "The first request with this X-Idempotency-Key has no answer yet. Retry later with the same key.");

    public static ProxyProblem BillingUnavailable() =>
        new(StatusCodes.Status503ServiceUnavailable, BillingUnavailableType, "billing_unavailable", "Billing unavailable", "The funds could not be reserved because billing is unreachable; the provider was not called. Retry with the same X-Idempotency-Key.");

    public static ProxyProblem ProviderUnreachable() =>
        new(StatusCodes.Status502BadGateway, ProviderUnreachableType, "provider_unreachable", "Provider unreachable", "The provider could not be reached or broke off its answer.");

    public static ProxyProblem ProviderTimeout() =>
        new(StatusCodes.Status504GatewayTimeout, ProviderTimeoutType, "provider_timeout", "Provider timed out", "The provider did not answer in time.");

    public static ProxyProblem ResponseTooLarge(int limit) =>
        new(StatusCodes.Status502BadGateway, ResponseTooLargeType, "response_too_large", "Provider answer too large", $"The provider's answer was larger than {limit} bytes, the most a tracked call keeps.");

    public static ProxyProblem LedgerUnavailable() =>
        new(StatusCodes.Status503ServiceUnavailable, LedgerUnavailableType, "ledger_unavailable", "Call ledger unavailable", "The call ledger could not be read or written. Retry.");

    public static ProxyProblem UpgradeNotSupported() =>
        new(StatusCodes.Status400BadRequest, UpgradeNotSupportedType, "upgrade_not_supported", "Upgrade not supported", "Protocol upgrades (WebSocket) are not forwarded.");

    public static ProxyProblem OperatorUnauthorized() =>
        new(StatusCodes.Status401Unauthorized, OperatorUnauthorizedType, "operator_unauthorized", "Unauthorized", "The operator API needs Authorization: Bearer <operator token>.");

    public static ProxyProblem CallNotFound(string callId) =>
        new(StatusCodes.Status404NotFound, ProblemTypes.NotFound, "not_found", "Not found", $"Call '{Printable(callId)}' does not exist.");

    // Echoes caller input only as printable ASCII, bounded: a problem body is no place for anything else.
    private static string Printable(string value) =>
        new([.. value.Take(100).Select(c => c is >= ' ' and <= '~' ? c : '?')]);
}
