using Gateway.PoolService.Model;

namespace Gateway.PoolService.Services;

/// <summary>
/// The rules of one backend, as pure functions of its <see cref="BackendState"/>, its registry
/// <see cref="BackendLimits"/> and the time: the <c>Backend</c> actor only loads, applies, saves
/// (and saves only what changed decision state: see <see cref="BackendState.SameDecisionsAs"/>).
/// </summary>
/// <remarks>
/// <para><b>Acquire</b>, in order: disabled → deny; probe-unhealthy → deny; ejected → deny; in
/// cooldown → deny, unless emergency grants are asked for and the trickle (a fraction of the RPM
/// per rolling minute, see <see cref="BackendPolicyOptions.EmergencyFraction"/>) and the RPM window
/// both have room; RPM window full → deny; else grant. Every grant, emergency ones included, counts
/// in the RPM window, so a backend never gets more than its RPM in any rolling minute.</para>
/// <para><b>Report</b>: a 429 makes n = n + 1 and cools the backend down for
/// max(min(base × 2^(n−1), max), Retry-After) from now (never shortening a running cooldown). A
/// success resets n and the failure count, and ends a running cooldown, being proof it is over.
/// Timeouts, connection errors and 5xx count in a row; <see cref="BackendPolicyOptions.EjectAfterFailures"/>
/// of them eject the backend for <see cref="BackendPolicyOptions.EjectionDuration"/>. A 4xx other than
/// 429 is the caller's fault: it only shows the backend answers (the failure count resets).</para>
/// <para><b>Stragglers.</b> Calls granted before the current cooldown (or ejection) began were in
/// flight when it started; what they report says nothing new. Their 429s do not escalate n (a
/// longer Retry-After still extends the cooldown), their successes do not end the cooldown, their
/// failures do not count toward another ejection. An outcome whose grant time is unknown is taken
/// as fresh.</para>
/// <para><b>Probes</b>: <see cref="BackendPolicyOptions.UnhealthyAfterProbeFailures"/> failures in a
/// row make the backend unhealthy until a probe passes.</para>
/// </remarks>
internal sealed class BackendPolicy(BackendPolicyOptions options)
{
    /// <summary>The RPM window: a rolling minute.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(1);

    // Weight of a new sample in the latency mean: recent calls dominate after about ten samples.
    private const double LatencyWeight = 0.2;

    public BackendPolicyOptions Options => options;

    /// <summary>Emergency grants allowed per rolling minute for a backend with <paramref name="rpm"/>: 0 when the trickle is off, else at least 1.</summary>
    public int EmergencyAllowance(int rpm) =>
        options.EmergencyFraction <= 0 || rpm <= 0 ? 0 : Math.Max(1, (int)Math.Floor(rpm * options.EmergencyFraction));

    /// <summary>
    /// Decides one lease at <paramref name="now"/>. <paramref name="allowEmergency"/> asks for the
    /// cooldown trickle (the second pass of a lease). Returns the same state instance when nothing
    /// changed (every denial), so the caller can skip the write.
    /// </summary>
    public (BackendState State, AcquireDecision Decision) Acquire(BackendState state, BackendLimits limits, bool allowEmergency, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(limits);
        if (!limits.Enabled)
        {
            return Deny(DenyReason.Disabled, null);
        }

        if (state.ProbeUnhealthy)
        {
            return Deny(DenyReason.Unhealthy, limits.ProbeIntervalSeconds is { } seconds ? TimeSpan.FromSeconds(seconds) : null);
        }

        if (state.EjectedUntil is { } ejectedUntil && ejectedUntil > now)
        {
            return Deny(DenyReason.Ejected, ejectedUntil - now);
        }

        var windowFreeAt = state.Grants.FreeAt(now, limits.Rpm);
        if (state.CooldownUntil is { } until && until > now)
        {
            var normalRecovery = Later(until, windowFreeAt);
            var allowance = EmergencyAllowance(limits.Rpm);
            if (!allowEmergency || allowance == 0)
            {
                return Deny(DenyReason.Cooldown, normalRecovery - now);
            }

            var trickleFreeAt = state.EmergencyGrants.FreeAt(now, allowance);
            if (trickleFreeAt > now)
            {
                return Deny(DenyReason.EmergencyExhausted, Earlier(normalRecovery, Later(trickleFreeAt, windowFreeAt)) - now);
            }

            if (windowFreeAt > now)
            {
                return Deny(DenyReason.RpmExhausted, windowFreeAt - now);
            }

            return (state with
            {
                Grants = state.Grants.Add(now, Window, options.RateSlotWidth),
                EmergencyGrants = state.EmergencyGrants.Add(now, Window, options.RateSlotWidth),
            }, new AcquireDecision.Granted(Emergency: true));
        }

        if (windowFreeAt > now)
        {
            return Deny(DenyReason.RpmExhausted, windowFreeAt - now);
        }

        return (state with { Grants = state.Grants.Add(now, Window, options.RateSlotWidth) }, new AcquireDecision.Granted(Emergency: false));

        (BackendState, AcquireDecision) Deny(DenyReason reason, TimeSpan? retryAfter) => (state, new AcquireDecision.Denied(reason, retryAfter));
    }

    /// <summary>
    /// Applies one reported upstream call at <paramref name="now"/>. Every report updates the
    /// observations (last outcome and its time, the latency mean); a success after a success
    /// changes nothing else.
    /// </summary>
    public BackendState Report(BackendState state, Outcome outcome, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(outcome);
        var next = state with { LastOutcome = outcome.Kind, LastOutcomeAt = now };
        if (outcome.Latency is { } latency && outcome.Kind is not (OutcomeKind.Timeout or OutcomeKind.ConnectError))
        {
            // A timeout's or a refused connection's duration measures the caller's patience, not the backend.
            var sample = latency.TotalMilliseconds;
            next = next with { LatencyEwmaMs = next.LatencyEwmaMs is { } mean ? mean + (LatencyWeight * (sample - mean)) : sample };
        }

        return outcome.Kind switch
        {
            OutcomeKind.Success => Succeeded(next, outcome),
            OutcomeKind.RateLimited => RateLimited(next, outcome, now),
            OutcomeKind.Timeout or OutcomeKind.ConnectError or OutcomeKind.ServerError => Failed(next, outcome, now),
            OutcomeKind.ClientError => next with { ConsecutiveFailures = 0 },
            _ => throw new ArgumentOutOfRangeException(nameof(outcome), outcome.Kind, "Unknown outcome kind."),
        };
    }

    /// <summary>Applies one health probe result at <paramref name="now"/>.</summary>
    public BackendState ReportProbe(BackendState state, bool passed, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (passed)
        {
            return state with { ConsecutiveProbeFailures = 0, ProbeUnhealthy = false, LastProbeAt = now };
        }

        var failures = state.ConsecutiveProbeFailures + 1;
        return state with
        {
            ConsecutiveProbeFailures = failures,
            ProbeUnhealthy = state.ProbeUnhealthy || failures >= options.UnhealthyAfterProbeFailures,
            LastProbeAt = now,
        };
    }

    /// <summary>The cooldown after <paramref name="consecutiveRateLimits"/> 429s in a row: min(base × 2^(n−1), max).</summary>
    public TimeSpan Backoff(int consecutiveRateLimits)
    {
        var exponent = Math.Max(0, consecutiveRateLimits - 1);

        // 2^40 × 100 ms is past any allowed maximum: no need to compute further.
        if (exponent >= 40)
        {
            return options.CooldownMax;
        }

        var ticks = options.CooldownBase.Ticks * Math.Pow(2, exponent);
        return ticks >= options.CooldownMax.Ticks ? options.CooldownMax : TimeSpan.FromTicks((long)ticks);
    }

    /// <summary>The figures of <paramref name="state"/> at <paramref name="now"/>, with its condition, most severe first.</summary>
    public BackendStatus Describe(string backendId, BackendState state, BackendLimits limits, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(limits);
        var grants = state.Grants.CountAt(now);
        var condition = !limits.Enabled ? BackendCondition.Disabled
            : state.ProbeUnhealthy ? BackendCondition.Unhealthy
            : state.EjectedUntil > now ? BackendCondition.Ejected
            : state.CooldownUntil > now ? BackendCondition.Cooldown
            : grants >= limits.Rpm ? BackendCondition.Saturated
            : BackendCondition.Available;
        return new BackendStatus
        {
            BackendId = backendId,
            State = condition,
            At = now,
            Rpm = limits.Rpm,
            GrantsInWindow = grants,
            EmergencyAllowance = EmergencyAllowance(limits.Rpm),
            EmergencyGrantsInWindow = state.EmergencyGrants.CountAt(now),
            ConsecutiveRateLimits = state.ConsecutiveRateLimits,
            CooldownUntil = state.CooldownUntil > now ? state.CooldownUntil : null,
            ConsecutiveFailures = state.ConsecutiveFailures,
            EjectedUntil = state.EjectedUntil > now ? state.EjectedUntil : null,
            ProbeUnhealthy = state.ProbeUnhealthy,
            ConsecutiveProbeFailures = state.ConsecutiveProbeFailures,
            LastProbeAt = state.LastProbeAt,
            LatencyEwmaMs = state.LatencyEwmaMs,
            LastOutcome = state.LastOutcome,
            LastOutcomeAt = state.LastOutcomeAt,
        };
    }

    private static BackendState Succeeded(BackendState state, Outcome outcome)
    {
        var next = state with { ConsecutiveRateLimits = 0, ConsecutiveFailures = 0 };
        return IsBefore(outcome.GrantedAt, state.CooldownStartedAt) ? next : next with { CooldownUntil = null };
    }

    private BackendState RateLimited(BackendState state, Outcome outcome, DateTimeOffset now)
    {
        var retryAfter = outcome.RetryAfter is { } asked && asked > TimeSpan.Zero
            ? (asked > options.RetryAfterCap ? options.RetryAfterCap : asked)
            : TimeSpan.Zero;
        var running = state.CooldownUntil is { } until && until > now ? until : now;
        if (IsBefore(outcome.GrantedAt, state.CooldownStartedAt))
        {
            return state with { ConsecutiveFailures = 0, CooldownUntil = Later(running, now + retryAfter) };
        }

        var n = state.ConsecutiveRateLimits + 1;
        var backoff = Backoff(n);
        var cooldown = retryAfter > backoff ? retryAfter : backoff;
        return state with
        {
            ConsecutiveRateLimits = n,
            ConsecutiveFailures = 0,
            CooldownStartedAt = now,
            CooldownUntil = Later(running, now + cooldown),
        };
    }

    private BackendState Failed(BackendState state, Outcome outcome, DateTimeOffset now)
    {
        if (IsBefore(outcome.GrantedAt, state.EjectedAt))
        {
            return state;
        }

        var failures = state.ConsecutiveFailures + 1;
        return failures >= options.EjectAfterFailures
            ? state with { ConsecutiveFailures = 0, EjectedAt = now, EjectedUntil = now + options.EjectionDuration }
            : state with { ConsecutiveFailures = failures };
    }

    /// <summary>True only when both times are known and the grant came first: a straggler.</summary>
    private static bool IsBefore(DateTimeOffset? grantedAt, DateTimeOffset? started) =>
        grantedAt is { } granted && started is { } start && granted < start;

    private static DateTimeOffset Later(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;

    private static DateTimeOffset Earlier(DateTimeOffset a, DateTimeOffset b) => a < b ? a : b;
}
