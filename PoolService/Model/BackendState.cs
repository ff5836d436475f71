namespace Gateway.PoolService.Model;

/// <summary>
/// What a <c>Backend</c> actor remembers between calls (its one state key). Changed only by
/// <see cref="Services.BackendPolicy"/>, one <c>with</c> per transition.
/// </summary>
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

    public DateTimeOffset? LastProbeAt { get; init; }

    /// <summary>Exponentially weighted mean latency of answered calls, in milliseconds.</summary>
    public double? LatencyEwmaMs { get; init; }

    public OutcomeKind? LastOutcome { get; init; }

    public DateTimeOffset? LastOutcomeAt { get; init; }
}
