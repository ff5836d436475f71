using Gateway.PoolService.Services;
using Gateway.ServiceDefaults;
using Gateway.ServiceDefaults.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gateway.PoolService.Apis;

/// <summary>
/// The problem details (RFC 9457) PoolService answers with. <c>type</c> is stable and clients
/// branch on it; every body also carries a snake_case <c>code</c> extension with the same meaning.
/// No body ever carries an API key or token.
/// </summary>
internal static class PoolProblems
{
    private const string Prefix = "urn:gateway:problem:pool:";

    /// <summary>
    /// 503 (ARCHITECTURE.md's <c>AllPoolsExhausted</c>): no backend serving the model granted a
    /// lease, emergency trickle included. <c>Retry-After</c> is the soonest any of them expects to
    /// grant (seconds, rounded up). Extensions: <c>model</c>, <c>retryAfterSeconds</c>,
    /// <c>denials</c> (backend, pool, reason, retryAfterSeconds).
    /// </summary>
    public const string AllPoolsExhaustedType = Prefix + "all-pools-exhausted";

    /// <summary>404: no backend serves the model and no alias names it. Extension <c>knownModels</c>.</summary>
    public const string UnknownModelType = Prefix + "unknown-model";

    /// <summary>409: the edit contradicts the registry (e.g. deleting a pool that still has backends).</summary>
    public const string RegistryConflictType = Prefix + "registry-conflict";

    /// <summary>503: concurrent writers kept winning; nothing was changed by this request. Retry.</summary>
    public const string ContentionType = Prefix + "contention";

    /// <summary>503: the state store (or the sidecar) could not be reached. Retry.</summary>
    public const string StoreUnavailableType = Prefix + "store-unavailable";

    /// <summary>401: the admin bearer token is missing or wrong.</summary>
    public const string AdminUnauthorizedType = ProblemTypes.Unauthorized;

    public static ValidationProblem Invalid(IDictionary<string, string[]> errors) => ProblemResults.Invalid(errors);

    public static ValidationProblem Invalid(string field, string message) =>
        Invalid(new Dictionary<string, string[]>(StringComparer.Ordinal) { [field] = [message] });

    public static ProblemHttpResult NotFound(string what) =>
        ProblemResults.Problem(StatusCodes.Status404NotFound, ProblemTypes.NotFound, "not_found", "Not found", $"{what} does not exist.");

    public static ProblemHttpResult UnknownModel(string model, IReadOnlyList<string> knownModels) =>
        ProblemResults.Problem(StatusCodes.Status404NotFound, UnknownModelType, "unknown_model", "Unknown model", $"No backend serves '{model}' and no alias names it; the known models are in 'knownModels'.", ("model", model), ("knownModels", knownModels));

    public static ProblemHttpResult AllPoolsExhausted(string model, LeaseResult.Exhausted result) =>
        ProblemResults.Problem(
            StatusCodes.Status503ServiceUnavailable,
            AllPoolsExhaustedType,
            "all_pools_exhausted",
            "AllPoolsExhausted",
            $"No backend serving '{model}' can take a call now; retry after {result.RetryAfterSeconds} s.",
            ("model", model),
            ("retryAfterSeconds", result.RetryAfterSeconds),
            ("denials", result.Denials.Select(d => new { backendId = d.BackendId, pool = d.Pool, reason = Model.Names.Of(d.Reason), retryAfterSeconds = d.RetryAfterSeconds }).ToList()));

    public static ProblemHttpResult RegistryConflict(string detail) =>
        ProblemResults.Problem(StatusCodes.Status409Conflict, RegistryConflictType, "registry_conflict", "Registry conflict", detail + " Nothing was written.");

    public static ProblemHttpResult Contention() =>
        ProblemResults.Problem(StatusCodes.Status503ServiceUnavailable, ContentionType, "contention", "Too much contention", "Concurrent writers kept winning; nothing was changed by this request. Retry.");

    public static ProblemHttpResult StoreUnavailable() =>
        ProblemResults.Problem(StatusCodes.Status503ServiceUnavailable, StoreUnavailableType, "store_unavailable", "State store unavailable", "The state store could not be reached. Retry.");

    public static ProblemHttpResult AdminUnauthorized() =>
        ProblemResults.Problem(StatusCodes.Status401Unauthorized, AdminUnauthorizedType, "unauthorized", "Unauthorized", "The admin API needs 'Authorization: Bearer <token>' with the configured admin token.");
}
