using System.Diagnostics;
using System.Globalization;
using Gateway.PoolService.Services;
using Gateway.ServiceDefaults.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gateway.PoolService.Apis;

/// <summary>
/// <c>POST /leases</c>: which backend to send one call to. Reached through Dapr invocation
/// (<c>/v1.0/invoke/pool/method/leases</c>); it hands out API keys, so it must never be exposed
/// outside the cluster (set <c>APP_API_TOKEN</c>).
/// </summary>
internal static class LeasesApi
{
    public const int MaxExclude = 100;

    public static IEndpointRouteBuilder MapLeasesApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/leases", LeaseAsync).AnswerStoreUnavailableWith(PoolProblems.StoreUnavailable);
        return app;
    }

    /// <summary>
    /// 200 with the lease; 400 invalid body; 404 <c>unknown-model</c> with the known models; 503
    /// <c>all-pools-exhausted</c> with <c>Retry-After</c>.
    /// </summary>
    public static async Task<Results<Ok<LeaseView>, ValidationProblem, ProblemHttpResult>> LeaseAsync(HttpContext context, JsonBodyReader bodies, LeaseService leases)
    {
        ArgumentNullException.ThrowIfNull(context);
        var read = await bodies.ReadAsync<LeaseRequest>(context.Request, context.RequestAborted);
        if (!read.TryGetValue(out var body, out var refusal))
        {
            return PoolProblems.Invalid(refusal.ToErrors());
        }

        if (RegistryRules.ModelNameProblem(body.Model) is { } problem)
        {
            return PoolProblems.Invalid("model", problem);
        }

        var exclude = body.Exclude ?? [];
        if (exclude.Length > MaxExclude || exclude.Any(id => id is null))
        {
            return PoolProblems.Invalid("exclude", $"must be a list of at most {MaxExclude} backend ids");
        }

        switch (await leases.LeaseAsync(body.Model!, exclude.ToHashSet(StringComparer.Ordinal), context.RequestAborted))
        {
            case LeaseResult.Granted granted:
                return TypedResults.Ok(LeaseView.From(granted.Lease));
            case LeaseResult.UnknownModel unknown:
                return PoolProblems.UnknownModel(body.Model!, unknown.KnownModels);
            case LeaseResult.Exhausted exhausted:
                context.Response.Headers.RetryAfter = exhausted.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
                return PoolProblems.AllPoolsExhausted(body.Model!, exhausted);
            case var unknownKind:
                throw new UnreachableException($"LeaseResult has no case {unknownKind.GetType().Name}.");
        }
    }
}
