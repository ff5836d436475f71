namespace Gateway.PoolService.Infrastructure;

/// <summary>
/// The policy clock: cooldowns, RPM windows, lease and usage times, probe schedules. A keyed
/// <see cref="TimeProvider"/> (<see cref="Key"/>, the system clock by default), apart from the
/// unkeyed one the Dapr client times its calls with, so a test can move policy time by hand without
/// stalling calls to the sidecar.
/// </summary>
internal static class PoolClock
{
    public const string Key = "Gateway.Pool.Clock";
}
