using Gateway.PoolService.Services;
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
        app.MapPost("/leases", LeaseAsync).AddEndpointFilter<StoreUnavailableFilter>();
        return app;
    }

    /// <summary>
    /// 200 with the lease; 400 invalid body; 404 <c>unknown-model</c> with the known models; 503
    /// <c>all-pools-exhausted</c> with <c>Retry-After</c>.
    /// </summary>
    public static async Task<Results<Ok<LeaseView>, ValidationProblem, ProblemHttpResult>> LeaseAsync(HttpContext context, LeaseService leases)
    {
        ArgumentNullException.ThrowIfNull(context);
        var (body, bodyErrors) = await JsonBody.TryReadAsync<LeaseRequest>(context.Request, context.RequestAborted);
        if (body is null)
        {
            return PoolProblems.Invalid(bodyErrors!);
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

        var result = await leases.LeaseAsync(body.Model!, exclude.ToHashSet(StringComparer.Ordinal), context.RequestAborted);
        if (result.Lease is { } lease)
        {
            return TypedResults.Ok(LeaseView.From(lease));
        }

        if (result.KnownModels is { } known)
        {
            return PoolProblems.UnknownModel(body.Model!, known);
        }

        context.Response.Headers.RetryAfter = result.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return PoolProblems.AllPoolsExhausted(body.Model!, result);
    }
}
