namespace Gateway.LocalSidecar.Tests.SdkActors;

/// <summary>Waiting for something observable, with a deadline that only bounds a broken run.</summary>
internal static class Eventually
{
    public static async Task HoldsAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"not observed in time: {what}");
            }

            await Task.Delay(25);
        }
    }
}
