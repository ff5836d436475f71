namespace Gateway.PoolService.Model;

/// <summary>
/// A backend's registry settings that its actor enforces; sent with each call, so the actor never
/// reads the registry and an edit applies from the next call on.
/// </summary>
/// <param name="Rpm">Grants allowed per rolling minute.</param>
/// <param name="Enabled">False: nothing is granted.</param>
/// <param name="ProbeIntervalSeconds">How often it is probed (the earliest an unhealthy backend can recover); null when not probed.</param>
public sealed record BackendLimits(int Rpm, bool Enabled, int? ProbeIntervalSeconds)
{
    internal static BackendLimits Of(BackendRecord backend) =>
        new(backend.Rpm, backend.Enabled, backend.HealthPath is null ? null : backend.HealthIntervalSeconds);
}
