namespace Gateway.BillingService.Infrastructure;

/// <summary>
/// The business clock: when reservations are made and expire, and when the sweeper runs. It is a
/// keyed <see cref="TimeProvider"/> (<see cref="Key"/>, the system clock by default), apart from
/// the unkeyed one the Dapr client times its calls with, so a test can move business time by hand
/// without stalling or expiring calls to the sidecar.
/// </summary>
internal static class BillingClock
{
    public const string Key = "Gateway.Billing.Clock";
}
