using Dapr.Actors.Runtime;
using Gateway.PoolService.Infrastructure;
using Gateway.PoolService.Model;

namespace Gateway.PoolService.Services;

/// <summary>
/// The <c>Backend</c> actor (id = backend id): a thin adapter that loads the backend's
/// <see cref="BackendState"/>, applies <see cref="BackendPolicy"/>, and stores the result when its
/// decision state changed. The sidecar runs one call at a time per id and one host owns an id at a
/// time, so the RPM window and the cooldown hold across every PoolService replica.
/// </summary>
/// <remarks>
/// <para><b>What a turn writes.</b> A turn that changes decision state (every grant, a 429, a
/// counter that moves or resets, an ejection, probe health; see
/// <see cref="BackendState.SameDecisionsAs"/>) stores the whole state before it answers, so the
/// next host of the actor (after a rebalance, a restart or a failure of this one) decides exactly
/// as this one would have. A turn that changes only observations (the latency mean, the last
/// outcome and its time, the last probe time: a success after a success, a passing probe after a
/// passing one) and every denial write nothing.</para>
/// <para><b>Observations</b> live in this instance (one per id per activation): the status shows
/// them at once, and they are stored with the next change of decision state, in the common case
/// the next grant. Those not yet stored are lost when the instance is deactivated (idle, moved to
/// another host) or its host fails; they are figures, not decisions, and the next instance starts
/// from the stored ones.</para>
/// <para><b>Grants</b> are each written before the lease is answered, on purpose: a grant held
/// only in memory would be forgotten by the actor's next host, which could then grant it again
/// within the same minute, past the backend's RPM.</para>
/// <para><b>Hosting</b> (Dapr.Actors): the sidecar runs one call per id at a time (the SDK also
/// takes a turn per id in the app); an instance idle for <see cref="PoolOptions.ActorIdleTimeout"/>
/// is deactivated. It has no reminders or timers.</para>
/// </remarks>
internal sealed class BackendActor(ActorHost host, BackendPolicy policy, [FromKeyedServices(PoolClock.Key)] TimeProvider clock) : Actor(host), IBackendActor
{
    public const string TypeName = "Backend";

    /// <summary>The one state key: the whole <see cref="BackendState"/>, written when its decision state changes.</summary>
    public const string StateKey = "policy";

    /// <summary>
    /// The bound on one state read or write to the sidecar. The SDK's actor runtime sets none (its
    /// HttpClient waits 100 s); a turn stuck on the store would hold every later call of this id.
    /// </summary>
    public static readonly TimeSpan StateCallTimeout = TimeSpan.FromSeconds(10);

    private string BackendId => Id.GetId();

    // The state as this instance knows it: the stored one plus observations not stored yet. Null
    // until the activation's first turn reads the store, and again after a write that failed.
    private BackendState? _state;

    public async Task<AcquireAnswer> AcquireAsync(AcquireRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var now = clock.GetUtcNow();
        var state = await CurrentAsync(cancellationToken).ConfigureAwait(false);
        var (next, decision) = policy.Acquire(state, request.Limits, request.AllowEmergency, now);
        await SaveAsync(state, next, cancellationToken).ConfigureAwait(false);
        var status = policy.Describe(BackendId, next, request.Limits, now);
        return decision switch
        {
            AcquireDecision.Granted granted => new AcquireAnswer(true, granted.Emergency, null, null, now, status),
            AcquireDecision.Denied denied => new AcquireAnswer(false, false, denied.Reason, denied.RetryAfter?.TotalSeconds, now, status),
            _ => throw new InvalidOperationException("Unknown acquire decision."),
        };
    }

    public async Task<ReportAnswer> ReportAsync(ReportRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var now = clock.GetUtcNow();
        var state = await CurrentAsync(cancellationToken).ConfigureAwait(false);
        var outcome = new Outcome(
            request.Outcome,
            request.LatencyMs is { } latency ? TimeSpan.FromMilliseconds(latency) : null,
            request.RetryAfterSeconds is { } retryAfter ? TimeSpan.FromSeconds(retryAfter) : null,
            request.GrantedAt);
        var next = policy.Report(state, outcome, now);
        await SaveAsync(state, next, cancellationToken).ConfigureAwait(false);
        return new ReportAnswer(
            policy.Describe(BackendId, next, request.Limits, now),
            CooldownStarted: next.CooldownStartedAt != state.CooldownStartedAt,
            Ejected: next.EjectedAt != state.EjectedAt);
    }

    public async Task<BackendStatus> ReportProbeAsync(ProbeRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        var now = clock.GetUtcNow();
        var state = await CurrentAsync(cancellationToken).ConfigureAwait(false);
        var next = policy.ReportProbe(state, request.Passed, now);
        await SaveAsync(state, next, cancellationToken).ConfigureAwait(false);
        return policy.Describe(BackendId, next, request.Limits, now);
    }

    public async Task<BackendStatus> GetStatusAsync(BackendLimits limits, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var state = await CurrentAsync(cancellationToken).ConfigureAwait(false);
        return policy.Describe(BackendId, state, limits, clock.GetUtcNow());
    }

    private async Task<BackendState> CurrentAsync(CancellationToken cancellationToken)
    {
        if (_state is { } known)
        {
            return known;
        }

        using var bounded = Bounded(cancellationToken);
        var stored = await StateManager.TryGetStateAsync<BackendState>(StateKey, bounded.Token).ConfigureAwait(false);
        return _state = stored is { HasValue: true, Value: { } value } ? value : BackendState.Initial;
    }

    private async Task SaveAsync(BackendState before, BackendState after, CancellationToken cancellationToken)
    {
        if (!after.SameDecisionsAs(before))
        {
            try
            {
                using var bounded = Bounded(cancellationToken);
                await StateManager.SetStateAsync(StateKey, after, bounded.Token).ConfigureAwait(false);

                // Committed here rather than when the turn ends, so that this instance takes the new
                // state only once the store has it.
                await StateManager.SaveStateAsync(bounded.Token).ConfigureAwait(false);
            }
            catch
            {
                // The write's outcome is unknown (the turn fails, the state manager drops its cache):
                // the next turn reads back what the store kept; unstored observations are lost.
                _state = null;
                throw;
            }
        }

        _state = after;
    }

    private static CancellationTokenSource Bounded(CancellationToken cancellationToken)
    {
        var bounded = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        bounded.CancelAfter(StateCallTimeout);
        return bounded;
    }
}
