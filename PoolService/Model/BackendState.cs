namespace Gateway.PoolService.Model;

/// <summary>
/// What a <c>Backend</c> actor remembers between calls (its one state key). Changed only by
/// <see cref="Services.BackendPolicy"/>, one <c>with</c> per transition.
/// </summary>
/// <remarks>
/// Two kinds of figures. <b>Decision state</b> (the cooldown, the RPM and emergency windows, the
/// counters in a row, the ejection, probe health) is what every lease and report is decided on:
/// the actor stores it whenever it changes, before answering. <b>Observations</b>
/// (<see cref="LatencyEwmaMs"/>, <see cref="LastOutcome"/>, <see cref="LastOutcomeAt"/>,
/// <see cref="LastProbeAt"/>) are shown in the status and decide nothing: a turn that changes only
/// them writes nothing; they are stored with the next change of decision state and may be lost
/// before it, when the actor is deactivated or its host fails (see <see cref="SameDecisionsAs"/>).
/// </remarks>
internal sealed record BackendState
{
    public static BackendState Initial { get; } = new();

    /// <summary>429s since the last success (n of the cooldown rule).</summary>
    public int ConsecutiveRateLimits { get; init; }

    /// <summary>When the current cooldown began or last escalated; 429s of leases granted before it do not escalate it again.</summary>
    public DateTimeOffset? CooldownStartedAt { get; init; }

    /// <summary>No normal grants before this time (emergency ones may still go out).</summary>
    public DateTimeOffset? CooldownUntil { get; init; }

    /// <summary>Every grant, normal and emergency: the RPM window.</summary>
    public RateWindow Grants { get; init; } = RateWindow.Empty;

    /// <summary>Emergency grants only: the trickle allowed during a cooldown.</summary>
    public RateWindow EmergencyGrants { get; init; } = RateWindow.Empty;

    /// <summary>Timeouts, connection errors and 5xx since the last answer that was not one.</summary>
    public int ConsecutiveFailures { get; init; }

    /// <summary>When the current (or last) ejection began; failures of leases granted before it do not count again.</summary>
    public DateTimeOffset? EjectedAt { get; init; }

    /// <summary>Passive health: no grants at all before this time (after too many failures in a row).</summary>
    public DateTimeOffset? EjectedUntil { get; init; }

    /// <summary>Failed probes in a row.</summary>
    public int ConsecutiveProbeFailures { get; init; }

    /// <summary>Active health: set after too many failed probes, cleared by the next passing one.</summary>
    public bool ProbeUnhealthy { get; init; }

    /// <summary>Observation: when the last probe result came in (stored only with a change of decision state).</summary>
    public DateTimeOffset? LastProbeAt { get; init; }

    /// <summary>Observation: exponentially weighted mean latency of answered calls, in milliseconds (stored only with a change of decision state).</summary>
    public double? LatencyEwmaMs { get; init; }

    /// <summary>Observation: how the last reported call ended (stored only with a change of decision state).</summary>
    public OutcomeKind? LastOutcome { get; init; }

    /// <summary>Observation: when the last call was reported (stored only with a change of decision state).</summary>
    public DateTimeOffset? LastOutcomeAt { get; init; }

    /// <summary>
    /// Whether <paramref name="other"/> decides every lease, report and probe as this state does:
    /// equal in everything but the observations. A property not named here as an observation is
    /// decision state, so one added later is stored on every change until someone decides otherwise.
    /// </summary>
    /// <remarks>
    /// The windows compare by instance (a policy that leaves a window alone hands the same one on):
    /// a window rebuilt with the same slots counts as a change, which costs a needless write, never a
    /// missed one.
    /// </remarks>
    public bool SameDecisionsAs(BackendState other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return ReferenceEquals(this, other) || WithoutObservations() == other.WithoutObservations();
    }

    private BackendState WithoutObservations() => this with { LatencyEwmaMs = null, LastOutcome = null, LastOutcomeAt = null, LastProbeAt = null };
}
