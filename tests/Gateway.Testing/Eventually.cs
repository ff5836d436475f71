namespace Gateway.Testing;

/// <summary>Waits for an observable condition with a deadline (which only bounds a broken run), instead of sleeping for it.</summary>
public static class Eventually
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(50);

    private static readonly TimeSpan DefaultDeadline = TimeSpan.FromSeconds(30);

    /// <summary>True as soon as <paramref name="condition"/> holds; false if it still does not at the deadline.</summary>
    public static Task<bool> TrueAsync(Func<bool> condition, TimeSpan deadline) =>
        TrueAsync(() => Task.FromResult(condition()), deadline);

    /// <summary>True as soon as <paramref name="condition"/> holds; false if it still does not at the deadline.</summary>
    public static async Task<bool> TrueAsync(Func<Task<bool>> condition, TimeSpan deadline)
    {
        ArgumentNullException.ThrowIfNull(condition);
        using var timeout = new CancellationTokenSource(deadline);
        while (!await condition().ConfigureAwait(false))
        {
            try
            {
                await Task.Delay(PollInterval, timeout.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return await condition().ConfigureAwait(false);
            }
        }

        return true;
    }

    /// <summary>Returns once <paramref name="condition"/> holds; throws naming <paramref name="what"/> at the deadline (default 30 s).</summary>
    public static async Task HoldsAsync(Func<bool> condition, string what, TimeSpan? deadline = null)
    {
        if (!await TrueAsync(condition, deadline ?? DefaultDeadline).ConfigureAwait(false))
        {
            throw new TimeoutException($"not observed in time: {what}");
        }
    }
}
