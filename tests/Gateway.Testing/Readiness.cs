namespace Gateway.Testing;

/// <summary>Waiting for a started process to answer (benchmarks start services this way).</summary>
public static class Readiness
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Polls <paramref name="url"/> until it answers 200. <paramref name="exited"/> gives the
    /// process's output once it has exited (null while it runs): then, or after a minute, it throws.
    /// </summary>
    public static async Task WaitAsync(Uri url, Func<string?> exited)
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(2) };
        var deadline = DateTime.UtcNow + Timeout;
        while (true)
        {
            try
            {
                using var answer = await client.GetAsync(url).ConfigureAwait(false);
                if (answer.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet, or slow to start on a busy machine.
            }

            if (exited() is { } output)
            {
                throw new InvalidOperationException($"The process behind {url} exited:\n{output}");
            }

            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"{url} did not answer 200 within {Timeout}.");
            }

            await Task.Delay(100).ConfigureAwait(false);
        }
    }
}
