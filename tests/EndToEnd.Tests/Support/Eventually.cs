namespace Gateway.EndToEnd.Tests.Support;

/// <summary>Waits for an observable condition with a deadline, instead of sleeping for it.</summary>
public static class Eventually
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(200);

    /// <summary>True as soon as <paramref name="condition"/> holds; false if it still does not at the deadline.</summary>
    public static async Task<bool> TrueAsync(Func<bool> condition, TimeSpan deadline)
    {
        using var timeout = new CancellationTokenSource(deadline);
        while (!condition())
        {
            try
            {
                await Task.Delay(PollInterval, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                return condition();
            }
        }

        return true;
    }
}
