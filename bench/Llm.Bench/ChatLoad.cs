using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;

namespace Gateway.Llm.Bench;

/// <summary>One way to the fake backend's chat completions: its URL and the key a client sends there.</summary>
internal sealed record ChatPath(string Name, Uri Endpoint, string Key);

/// <summary>Requests of one path (one slice, or several merged): wall time, sorted latencies, failures by kind.</summary>
internal sealed record Sample(TimeSpan Elapsed, double[] LatencyMs, IReadOnlyDictionary<string, int> Errors)
{
    public int Requests => LatencyMs.Length;

    public int ErrorCount => Errors.Values.Sum();

    /// <summary>Completed requests (answered or failed) per second of wall time.</summary>
    public double RequestsPerSecond => Requests / Elapsed.TotalSeconds;

    public double Percentile(double p) => LatencyMs[Math.Clamp((int)Math.Ceiling(p * LatencyMs.Length) - 1, 0, LatencyMs.Length - 1)];

    /// <summary>Slices of one path as if they were one run: their times added, their latencies pooled.</summary>
    public static Sample Merge(IReadOnlyCollection<Sample> slices)
    {
        double[] latencies = [.. slices.SelectMany(s => s.LatencyMs)];
        Array.Sort(latencies);
        var errors = slices.SelectMany(s => s.Errors).GroupBy(e => e.Key, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(e => e.Value), StringComparer.Ordinal);
        return new Sample(TimeSpan.FromTicks(slices.Sum(s => s.Elapsed.Ticks)), latencies, errors);
    }
}

/// <summary>
/// Sends one pre-serialised chat request, <c>concurrency</c> at a time, to a path and times each
/// whole exchange (request sent → answer read to its end). Anything but a 200 is a failure.
/// </summary>
internal sealed class ChatLoad(HttpClient client, byte[] body)
{
    public async Task<Sample> RunAsync(ChatPath path, int requests, int concurrency)
    {
        var authorization = new AuthenticationHeaderValue("Bearer", path.Key);
        var latencies = new double[requests];
        var failures = new string?[requests];
        var next = -1;
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < requests)
            {
                var started = Stopwatch.GetTimestamp();
                failures[i] = await SendAsync(path.Endpoint, authorization).ConfigureAwait(false);
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
            }
        })).ConfigureAwait(false);
        clock.Stop();
        Array.Sort(latencies);
        var errors = failures.OfType<string>().GroupBy(f => f, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        return new Sample(clock.Elapsed, latencies, errors);
    }

    /// <summary>The whole text of one answer, for the check before the load that each path really reaches the fake.</summary>
    public async Task<(HttpStatusCode Status, string Body)> AskOnceAsync(ChatPath path)
    {
        using var request = Request(path.Endpoint, new AuthenticationHeaderValue("Bearer", path.Key));
        using var response = await client.SendAsync(request).ConfigureAwait(false);
        return (response.StatusCode, await response.Content.ReadAsStringAsync().ConfigureAwait(false));
    }

    /// <summary>Null when the answer was a 200 read to its end; otherwise what went wrong.</summary>
    private async Task<string?> SendAsync(Uri endpoint, AuthenticationHeaderValue authorization)
    {
        try
        {
            using var request = Request(endpoint, authorization);

            // ResponseContentRead: the time includes reading the whole answer, as a client's would.
            using var response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead).ConfigureAwait(false);
            return response.StatusCode == HttpStatusCode.OK ? null : $"HTTP {(int)response.StatusCode}";
        }
        catch (HttpRequestException e)
        {
            return $"{e.HttpRequestError}";
        }
        catch (TaskCanceledException)
        {
            return "timeout";
        }
    }

    private HttpRequestMessage Request(Uri endpoint, AuthenticationHeaderValue authorization)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        var request = new HttpRequestMessage(HttpMethod.Post, endpoint) { Content = content };
        request.Headers.Authorization = authorization;
        return request;
    }
}
