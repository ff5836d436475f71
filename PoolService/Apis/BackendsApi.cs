using Gateway.PoolService.Infrastructure;
using Gateway.PoolService.Model;
using Gateway.PoolService.Services;
using Gateway.ServiceDefaults.Dapr;
using Gateway.ServiceDefaults.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gateway.PoolService.Apis;

/// <summary>
/// <c>/backends/{id}</c>: outcome reports (every leased call ends with one) and the live status of
/// a backend's actor. Internal, like <c>/leases</c>.
/// </summary>
internal static class BackendsApi
{
    private const double MaxLatencyMs = 24 * 3600 * 1000;
    private const double MaxRetryAfterSeconds = 24 * 3600;
    private const long MaxTokens = 1_000_000_000;
    private const decimal MaxCost = 1_000_000m;

    public static IEndpointRouteBuilder MapBackendsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/backends/{backendId}").AnswerStoreUnavailableWith(PoolProblems.StoreUnavailable);
        api.MapPost("/outcomes", ReportAsync);
        api.MapGet("/status", GetStatusAsync);
        return app;
    }

    /// <summary>
    /// Records usage (once per lease id), then applies the outcome to the backend's actor. 200 with
    /// what was done; 400 invalid; 404 unknown backend; 503 contention or store unavailable.
    /// </summary>
    public static async Task<Results<Ok<OutcomeView>, ValidationProblem, ProblemHttpResult>> ReportAsync(
        string backendId,
        HttpContext context,
        JsonBodyReader bodies,
        BackendRegistry registry,
        UsageLedger usage,
        BackendActors actors,
        PoolTelemetry telemetry,
        [FromKeyedServices(PoolClock.Key)] TimeProvider clock,
        ILogger<OutcomeRequest> logger)
    {
        ArgumentNullException.ThrowIfNull(context);
        var read = await bodies.ReadAsync<OutcomeRequest>(context.Request, context.RequestAborted);
        if (!read.TryGetValue(out var body, out var refusal))
        {
            return PoolProblems.Invalid(refusal.ToErrors());
        }

        if (!TryValidate(body, out var grantedAt, out var errors))
        {
            return PoolProblems.Invalid(errors);
        }

        var view = await registry.GetAsync(context.RequestAborted);
        if (view.Backend(backendId) is not { } backend)
        {
            return PoolProblems.NotFound($"Backend '{backendId}'");
        }

        var model = view.ResolveModel(body.Model!) ?? body.Model!;
        var cost = body.Cost ?? (backend.Pricing.GetValueOrDefault(model) is { } price && (body.PromptTokens is not null || body.CompletionTokens is not null)
            ? price.CostOf(body.PromptTokens ?? 0, body.CompletionTokens ?? 0)
            : null);
        var outcome = body.Outcome!.Value;
        var report = new UsageReport(body.LeaseId ?? Guid.NewGuid().ToString(), backend.Id, model, clock.GetUtcNow(), outcome, body.LatencyMs, body.PromptTokens, body.CompletionTokens, cost);
        var written = await usage.RecordAsync(report, context.RequestAborted);
        switch (written)
        {
            case UsageWrite.Contention:
                context.Response.Headers.RetryAfter = "1";
                return PoolProblems.Contention();
            case UsageWrite.Duplicate:
                // Already counted and already applied: a repeat must not escalate a cooldown twice.
                return TypedResults.Ok(new OutcomeView(false, true, false, cost, null));
        }

        telemetry.Outcome(backend.Id, model, outcome, body.LatencyMs, body.PromptTokens, body.CompletionTokens);
        try
        {
            var answer = await actors.ReportAsync(backend.Id, new ReportRequest(BackendLimits.Of(backend), outcome, body.LatencyMs, body.RetryAfterSeconds, grantedAt), context.RequestAborted);
            telemetry.Observe(answer.Status);
            if (answer.CooldownStarted)
            {
                telemetry.Cooldown(backend.Id);
                PoolLog.CooldownStarted(logger, backend.Id, answer.Status.CooldownUntil, answer.Status.ConsecutiveRateLimits);
            }

            if (answer.Ejected)
            {
                telemetry.Ejection(backend.Id);
                PoolLog.Ejected(logger, backend.Id, answer.Status.EjectedUntil);
            }

            return TypedResults.Ok(new OutcomeView(true, false, true, cost, answer.Status));
        }
        catch (BackendActorUnavailableException e)
        {
            // Usage has it; the policy misses one signal, which the next report makes up for.
            PoolLog.ActorUnavailable(logger, backend.Id, "report", e);
            return TypedResults.Ok(new OutcomeView(true, false, false, cost, null));
        }
    }

    /// <summary>200 with the backend's live status; 404 unknown backend.</summary>
    public static async Task<Results<Ok<BackendStatus>, ProblemHttpResult>> GetStatusAsync(
        string backendId,
        BackendRegistry registry,
        BackendActors actors,
        PoolTelemetry telemetry,
        CancellationToken cancellationToken)
    {
        var view = await registry.GetAsync(cancellationToken);
        if (view.Backend(backendId) is not { } backend)
        {
            return PoolProblems.NotFound($"Backend '{backendId}'");
        }

        var status = await actors.StatusAsync(backend.Id, BackendLimits.Of(backend), cancellationToken);
        telemetry.Observe(status);
        return TypedResults.Ok(status);
    }

    private static bool TryValidate(OutcomeRequest body, out DateTimeOffset? grantedAt, out Dictionary<string, string[]> errors)
    {
        var found = new Dictionary<string, string[]>(StringComparer.Ordinal);
        errors = found;
        grantedAt = null;
        if (body.Outcome is not { } outcome || !Enum.IsDefined(outcome))
        {
            errors["outcome"] = [$"is required: one of {string.Join(", ", Names.All<OutcomeKind>())}"];
        }

        if (RegistryRules.ModelNameProblem(body.Model) is { } problem)
        {
            errors["model"] = [problem];
        }

        if (body.LeaseId is not null)
        {
            if (LeaseIds.TryGrantTime(body.LeaseId, out var at))
            {
                grantedAt = at;
            }
            else
            {
                errors["leaseId"] = ["must be a lease id handed out by POST /leases"];
            }
        }

        Check(body.LatencyMs is < 0 or > MaxLatencyMs || (body.LatencyMs is { } l && !double.IsFinite(l)), "latencyMs", $"must be between 0 and {MaxLatencyMs}");
        Check(body.RetryAfterSeconds is < 0 or > MaxRetryAfterSeconds || (body.RetryAfterSeconds is { } r && !double.IsFinite(r)), "retryAfterSeconds", $"must be between 0 and {MaxRetryAfterSeconds}");
        Check(body.PromptTokens is < 0 or > MaxTokens, "promptTokens", $"must be between 0 and {MaxTokens}");
        Check(body.CompletionTokens is < 0 or > MaxTokens, "completionTokens", $"must be between 0 and {MaxTokens}");
        Check(body.Cost is < 0 or > MaxCost, "cost", $"must be between 0 and {MaxCost}");
        return errors.Count == 0;

        void Check(bool failed, string field, string message)
        {
            if (failed)
            {
                found[field] = [message];
            }
        }
    }
}
