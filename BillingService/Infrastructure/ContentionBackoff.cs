namespace Gateway.BillingService.Infrastructure;

/// <summary>The pause before re-reading after a state transaction that was not confirmed.</summary>
internal static class ContentionBackoff
{
    private const int BaseMilliseconds = 2;
    private const int MaxMilliseconds = 100;

    /// <summary>
    /// Full jitter over an exponential ceiling (2, 4, 8 … 100 ms), so writers that lost together
    /// do not collide again in step. Contention between processes plays out in wall-clock time,
    /// not in the business clock a test may drive by hand, so this waits on the system clock.
    /// </summary>
    public static Task DelayAsync(int attempt, CancellationToken cancellationToken)
    {
        var ceiling = Math.Min(MaxMilliseconds, BaseMilliseconds << Math.Clamp(attempt, 0, 6));
#pragma warning disable CA5394 // Jitter, not security.
        var delay = Random.Shared.Next(1, ceiling + 1);
#pragma warning restore CA5394
        return Task.Delay(TimeSpan.FromMilliseconds(delay), TimeProvider.System, cancellationToken);
    }
}
