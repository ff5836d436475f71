using System.Globalization;
using Gateway.PoolService.Infrastructure;
using Gateway.PoolService.Model;
using Gateway.PoolService.Services;
using Gateway.ServiceDefaults.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gateway.PoolService.Apis;

/// <summary><c>GET /usage</c>: recorded usage by backend, model and minute.</summary>
internal static class UsageApi
{
    /// <summary>The widest range one query may cover.</summary>
    public static readonly TimeSpan MaxRange = TimeSpan.FromDays(7);

    /// <summary>The range when <c>from</c> is omitted: the hour before <c>to</c>.</summary>
    public static readonly TimeSpan DefaultRange = TimeSpan.FromHours(1);

    public static IEndpointRouteBuilder MapUsageApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/usage", QueryAsync).AnswerStoreUnavailableWith(PoolProblems.StoreUnavailable);
        return app;
    }

    /// <summary>
    /// <c>?backend=&amp;model=&amp;from=&amp;to=</c>, all optional: <c>from</c>/<c>to</c> are ISO 8601
    /// times (default: the last hour), at most 7 days apart, <c>from</c> before <c>to</c>;
    /// <c>model</c> may be an alias. 200 with the minutes in [from, to) and their totals; 400 invalid.
    /// </summary>
    public static async Task<Results<Ok<UsageView>, ValidationProblem>> QueryAsync(
        string? backend,
        string? model,
        string? from,
        string? to,
        BackendRegistry registry,
        UsageLedger usage,
        [FromKeyedServices(PoolClock.Key)] TimeProvider clock,
        CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var end = Parse(to, "to", errors) ?? clock.GetUtcNow();
        var start = Parse(from, "from", errors) ?? end - DefaultRange;
        if (errors.Count == 0 && start >= end)
        {
            errors["from"] = ["must be before 'to'"];
        }
        else if (errors.Count == 0 && end - start > MaxRange)
        {
            errors["to"] = [$"must be at most {MaxRange.TotalDays} days after 'from'"];
        }

        if (backend is not null && !RegistryRules.IsId(backend))
        {
            errors["backend"] = [RegistryRules.IdRule];
        }

        if (model is not null && RegistryRules.ModelNameProblem(model) is { } problem)
        {
            errors["model"] = [problem];
        }

        if (errors.Count > 0)
        {
            return PoolProblems.Invalid(errors);
        }

        var canonical = model is null ? null : (await registry.GetAsync(cancellationToken)).ResolveModel(model) ?? model;
        var minutes = await usage.QueryAsync(backend, canonical, start, end, cancellationToken);
        var totals = minutes.Aggregate(UsageBucket.Empty, (sum, m) => sum.Plus(m.Figures));
        return TypedResults.Ok(new UsageView(
            start,
            end,
            backend,
            canonical,
            [.. minutes.Select(m => new UsageMinuteView(m.BackendId, m.Model, m.Minute, UsageFigures.From(m.Figures)))],
            UsageFigures.From(totals)));
    }

    private static DateTimeOffset? Parse(string? text, string field, Dictionary<string, string[]> errors)
    {
        if (text is null)
        {
            return null;
        }

        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value))
        {
            return value;
        }

        errors[field] = ["must be an ISO 8601 time, e.g. 2026-11-21T10:00:00Z"];
        return null;
    }
}
