namespace Gateway.PoolService.Model;

/// <summary>A backend's live figures as its actor sees them (<c>GET /backends/{id}/status</c>).</summary>
public sealed record BackendStatus
{
    public required string BackendId { get; init; }

    public required BackendCondition State { get; init; }

    public required DateTimeOffset At { get; init; }

    public int Rpm { get; init; }

    /// <summary>Grants counted in the current rolling minute.</summary>
    public int GrantsInWindow { get; init; }

    public int EmergencyAllowance { get; init; }

    public int EmergencyGrantsInWindow { get; init; }

    public int ConsecutiveRateLimits { get; init; }

    public DateTimeOffset? CooldownUntil { get; init; }

    public int ConsecutiveFailures { get; init; }

    public DateTimeOffset? EjectedUntil { get; init; }

    public bool ProbeUnhealthy { get; init; }

    public int ConsecutiveProbeFailures { get; init; }

    public DateTimeOffset? LastProbeAt { get; init; }

    public double? LatencyEwmaMs { get; init; }

    public OutcomeKind? LastOutcome { get; init; }

    public DateTimeOffset? LastOutcomeAt { get; init; }
}
