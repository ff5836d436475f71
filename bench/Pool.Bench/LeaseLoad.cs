using System.Diagnostics;
using System.Net;
using System.Text;

namespace Gateway.Pool.Bench;

/// <summary>The outcome of one run: throughput, sorted latencies, answers by status.</summary>
internal sealed record LoadResult(double LeasesPerSecond, double[] LatencyMs, int Granted, int Refused, int Failed)
{
    public double Percentile(double p) => LatencyMs.Length == 0 ? double.NaN : LatencyMs[Math.Clamp((int)Math.Ceiling(p * LatencyMs.Length) - 1, 0, LatencyMs.Length - 1)];
}

/// <summary>
/// <c>POST /leases</c> for one model, <c>concurrency</c> requests in flight, spread round robin
/// over the replicas; each latency is one whole request (PoolService → sidecar → Backend actor,
/// wherever it is hosted → answer).
/// </summary>
internal sealed class LeaseLoad(IReadOnlyList<HttpClient> clients)
{
    public async Task<LoadResult> RunAsync(string model, int leases, int concurrency)
    {
        var body = Encoding.UTF8.GetBytes($$"""{"model":"{{model}}"}""");
        var latencies = new double[leases];
        var statuses = new HttpStatusCode[leases];
        var next = -1;
        var total = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            int i;
            while ((i = Interlocked.Increment(ref next)) < leases)
            {
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new("application/json");
                var started = Stopwatch.GetTimestamp();
                using var response = await clients[i % clients.Count].PostAsync(new Uri("/leases", UriKind.Relative), content).ConfigureAwait(false);
                await response.Content.LoadIntoBufferAsync().ConfigureAwait(false);
                latencies[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                statuses[i] = response.StatusCode;
            }
        })).ConfigureAwait(false);
        total.Stop();
        Array.Sort(latencies);
        return new LoadResult(
            leases / total.Elapsed.TotalSeconds,
            latencies,
            statuses.Count(s => s == HttpStatusCode.OK),
            statuses.Count(s => s == HttpStatusCode.ServiceUnavailable),
            statuses.Count(s => s is not (HttpStatusCode.OK or HttpStatusCode.ServiceUnavailable)));
    }
}
