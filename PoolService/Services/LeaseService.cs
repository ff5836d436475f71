using System.Diagnostics;
using Gateway.PoolService.Infrastructure;
using Gateway.PoolService.Model;
using Gateway.ServiceDefaults.Dapr;
using Microsoft.Extensions.Options;

namespace Gateway.PoolService.Services;

/// <summary>A granted lease: where to send the call and with what (ARCHITECTURE.md section 4).</summary>
internal sealed record Lease(
    Guid LeaseId,
    string BackendId,
    string BaseUrl,
    string Model,
    string UpstreamModel,
    string? ApiKey,
    int TimeoutSeconds,
    string Pool,
    bool Emergency,
    ModelPrice? Pricing);

/// <summary>One backend's refusal, for the 503's detail and its Retry-After.</summary>
internal sealed record Denial(string BackendId, string Pool, DenyReason Reason, double? RetryAfterSeconds);

/// <summary>What a lease request came to: one of the cases below, and no other.</summary>
internal abstract record LeaseResult
{
    private LeaseResult()
    {
    }

    /// <summary>A backend granted <paramref name="Lease"/>.</summary>
    public sealed record Granted(Lease Lease) : LeaseResult;

    /// <summary>No backend serves the model and no alias names it; <paramref name="KnownModels"/> are the ones that exist.</summary>
    public sealed record UnknownModel(IReadOnlyList<string> KnownModels) : LeaseResult;

    /// <summary>Every backend serving the model refused (<paramref name="Denials"/>); the soonest may grant in <paramref name="RetryAfterSeconds"/> (at least 1).</summary>
    public sealed record Exhausted(IReadOnlyList<Denial> Denials, long RetryAfterSeconds) : LeaseResult;
}

/// <summary>
/// Finds a backend for one call: walks the pools in order and, within a pool, the backends serving
/// the model in weighted random order (<see cref="BackendPicker"/>), asking each one's actor until
/// one grants. When none does, a second pass offers the emergency trickle to the backends that
/// refused only because they cool down (never to disabled, ejected or unhealthy ones). When that
/// fails too, the answer is the soonest time any of them expects to grant again.
/// </summary>
internal sealed class LeaseService(
    BackendRegistry registry,
    BackendActors actors,
    BackendPicker picker,
    ApiKeyCipher cipher,
    PoolTelemetry telemetry,
    IOptions<PoolOptions> options,
    TimeProvider timers,
    ILogger<LeaseService> logger)
{
    /// <exception cref="global::Dapr.DaprException">The registry could not be read.</exception>
    public async Task<LeaseResult> LeaseAsync(string model, IReadOnlySet<string> exclude, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(exclude);
        using var activity = PoolTelemetry.StartActivity("lease");
        activity?.SetTag(PoolTelemetry.ModelTag, model);
        var started = timers.GetTimestamp();
        var view = await registry.GetAsync(cancellationToken).ConfigureAwait(false);
        if (view.ResolveModel(model) is not { } canonical)
        {
            telemetry.Lease("unknown_model", null, timers.GetElapsedTime(started).TotalMilliseconds);
            return new LeaseResult.UnknownModel(view.KnownModels);
        }

        var denials = new List<Denial>();
        var cooling = new List<(PoolRecord Pool, BackendRecord Backend, string? ApiKey)>();
        foreach (var (pool, backends) in view.PoolsServing(canonical))
        {
            foreach (var backend in picker.Order(backends.Where(b => !exclude.Contains(b.Id))))
            {
                if (!backend.Enabled)
                {
                    denials.Add(new Denial(backend.Id, pool.Name, DenyReason.Disabled, null));
                    continue;
                }

                if (!TryOpenKey(backend, out var apiKey))
                {
                    denials.Add(new Denial(backend.Id, pool.Name, DenyReason.Unavailable, null));
                    continue;
                }

                var answer = await AskAsync(backend, allowEmergency: false, cancellationToken).ConfigureAwait(false);
                if (answer.Granted)
                {
                    return Grant(pool, backend, canonical, apiKey, answer, started, activity);
                }

                denials.Add(new Denial(backend.Id, pool.Name, answer.Reason ?? DenyReason.Unavailable, answer.RetryAfterSeconds));
                if (answer.Reason == DenyReason.Cooldown)
                {
                    cooling.Add((pool, backend, apiKey));
                }
            }
        }

        foreach (var (pool, backend, apiKey) in cooling)
        {
            var answer = await AskAsync(backend, allowEmergency: true, cancellationToken).ConfigureAwait(false);
            if (answer.Granted)
            {
                return Grant(pool, backend, canonical, apiKey, answer, started, activity);
            }

            // The emergency pass knows better when this backend may grant again.
            var index = denials.FindIndex(d => d.BackendId == backend.Id);
            denials[index] = new Denial(backend.Id, pool.Name, answer.Reason ?? DenyReason.Unavailable, answer.RetryAfterSeconds);
        }

        var soonest = denials.Where(d => d.RetryAfterSeconds is not null).Select(d => d.RetryAfterSeconds!.Value).DefaultIfEmpty(options.Value.DefaultRetryAfter.TotalSeconds).Min();
        var retryAfter = Math.Max(1, (long)Math.Ceiling(soonest));
        telemetry.Lease("exhausted", null, timers.GetElapsedTime(started).TotalMilliseconds);
        PoolLog.Exhausted(logger, canonical, retryAfter);
        activity?.SetTag(PoolTelemetry.ResultTag, "exhausted");
        return new LeaseResult.Exhausted(denials, retryAfter);
    }

    private LeaseResult.Granted Grant(PoolRecord pool, BackendRecord backend, string model, string? apiKey, AcquireAnswer answer, long started, Activity? activity)
    {
        telemetry.Grant(backend.Id, answer.Emergency);
        var result = answer.Emergency ? "emergency" : "granted";
        telemetry.Lease(result, pool.Name, timers.GetElapsedTime(started).TotalMilliseconds);
        activity?.SetTag(PoolTelemetry.BackendTag, backend.Id);
        activity?.SetTag(PoolTelemetry.PoolTag, pool.Name);
        activity?.SetTag(PoolTelemetry.ResultTag, result);
        return new LeaseResult.Granted(new Lease(
            Guid.CreateVersion7(answer.At),
            backend.Id,
            backend.BaseUrl,
            model,
            backend.Models[model],
            apiKey,
            backend.TimeoutSeconds,
            pool.Name,
            answer.Emergency,
            backend.Pricing.GetValueOrDefault(model)));
    }

    /// <summary>Asks the backend's actor; an actor that cannot be reached counts as a refusal, so the walk goes on.</summary>
    private async Task<AcquireAnswer> AskAsync(BackendRecord backend, bool allowEmergency, CancellationToken cancellationToken)
    {
        AcquireAnswer answer;
        try
        {
            answer = await actors.AcquireAsync(backend.Id, new AcquireRequest(BackendLimits.Of(backend), allowEmergency), cancellationToken).ConfigureAwait(false);
        }
        catch (BackendActorUnavailableException e)
        {
            PoolLog.ActorUnavailable(logger, backend.Id, "acquire", e);
            telemetry.Denial(backend.Id, DenyReason.Unavailable);
            return new AcquireAnswer(false, false, DenyReason.Unavailable, null, default, null);
        }

        if (answer.Status is { } status)
        {
            telemetry.Observe(status);
        }

        if (!answer.Granted)
        {
            telemetry.Denial(backend.Id, answer.Reason ?? DenyReason.Unavailable);
        }

        return answer;
    }

    private bool TryOpenKey(BackendRecord backend, out string? apiKey)
    {
        apiKey = null;
        if (backend.ApiKey is null)
        {
            return true;
        }

        if (cipher.TryOpen(backend.ApiKey, backend.Id, out var open))
        {
            apiKey = open;
            return true;
        }

        PoolLog.KeyUnreadable(logger, backend.Id);
        return false;
    }
}
