using Gateway.PoolService.Infrastructure;
using Gateway.PoolService.Model;
using Gateway.ServiceDefaults.Actors;

namespace Gateway.PoolService.Services;

/// <summary>
/// The <c>Backend</c> actor (id = backend id): a thin adapter that loads the backend's
/// <see cref="BackendState"/>, applies <see cref="BackendPolicy"/>, and stores the result. The
/// sidecar runs one call at a time per id and one host owns an id at a time, so the RPM window and
/// the cooldown hold across every PoolService replica.
/// </summary>
internal sealed class BackendActor(ActorHost host, BackendPolicy policy, [FromKeyedServices(PoolClock.Key)] TimeProvider clock) : Actor(host)
{
    public const string TypeName = "Backend";

    /// <summary>The one state key: the whole <see cref="BackendState"/>, written in the turn's transaction.</summary>
    public const string StateKey = "policy";

    [ActorMethod("acquire")]
    public async Task<AcquireAnswer> AcquireAsync(AcquireRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var now = clock.GetUtcNow();
        var state = await LoadAsync(cancellationToken).ConfigureAwait(false);
        var (next, decision) = policy.Acquire(state, request.Limits, request.AllowEmergency, now);
        await SaveAsync(state, next, cancellationToken).ConfigureAwait(false);
        var status = policy.Describe(ActorId, next, request.Limits, now);
        return decision switch
        {
            AcquireDecision.Granted granted => new AcquireAnswer(true, granted.Emergency, null, null, now, status),
            AcquireDecision.Denied denied => new AcquireAnswer(false, false, denied.Reason, denied.RetryAfter?.TotalSeconds, now, status),
            _ => throw new InvalidOperationException("Unknown acquire decision."),
        };
    }

    [ActorMethod("report")]
    public async Task<ReportAnswer> ReportAsync(ReportRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var now = clock.GetUtcNow();
        var state = await LoadAsync(cancellationToken).ConfigureAwait(false);
        var outcome = new Outcome(
            request.Outcome,
            request.LatencyMs is { } latency ? TimeSpan.FromMilliseconds(latency) : null,
            request.RetryAfterSeconds is { } retryAfter ? TimeSpan.FromSeconds(retryAfter) : null,
            request.GrantedAt);
        var next = policy.Report(state, outcome, now);
        await SaveAsync(state, next, cancellationToken).ConfigureAwait(false);
        return new ReportAnswer(
            policy.Describe(ActorId, next, request.Limits, now),
            CooldownStarted: next.CooldownStartedAt != state.CooldownStartedAt,
            Ejected: next.EjectedAt != state.EjectedAt);
    }

    [ActorMethod("probe")]
    public async Task<BackendStatus> ReportProbeAsync(ProbeRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var now = clock.GetUtcNow();
        var state = await LoadAsync(cancellationToken).ConfigureAwait(false);
        var next = policy.ReportProbe(state, request.Passed, now);
        await SaveAsync(state, next, cancellationToken).ConfigureAwait(false);
        return policy.Describe(ActorId, next, request.Limits, now);
    }

    [ActorMethod("status")]
    public async Task<BackendStatus> GetStatusAsync(BackendLimits limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var state = await LoadAsync(cancellationToken).ConfigureAwait(false);
        return policy.Describe(ActorId, state, limits, clock.GetUtcNow());
    }

    private async Task<BackendState> LoadAsync(CancellationToken cancellationToken) =>
        (await StateManager.TryGetStateAsync<BackendState>(StateKey, cancellationToken).ConfigureAwait(false)) is { HasValue: true, Value: { } state }
            ? state
            : BackendState.Initial;

    // The policy hands back the very same instance when nothing changed (every denial): no write then.
    private Task SaveAsync(BackendState before, BackendState after, CancellationToken cancellationToken) =>
        ReferenceEquals(before, after) ? Task.CompletedTask : StateManager.SetStateAsync(StateKey, after, cancellationToken);
}
