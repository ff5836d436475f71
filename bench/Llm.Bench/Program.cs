using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using Gateway.Bench;
using Gateway.Llm.Bench;

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (ArgumentException e)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

Console.WriteLine(BenchMachine.Describe());
Console.WriteLine($"load average at the start: {BenchMachine.LoadAverage()}");
Console.WriteLine($"non-streamed chat completion, one user message; {options.Requests} requests per path and concurrency after warm-up rounds of {options.Warmup} per path (2 s at least), in {options.Rounds} slices per path, the paths taking turns; store SQLite, LocalSidecar");

await using var stack = await LlmUnderTest.StartAsync(options.Nginx);
List<ChatPath> paths = [stack.Direct, stack.Gateway];
if (stack.Nginx is { } nginx)
{
    paths.Add(nginx);
}
else
{
    Console.WriteLine(options.Nginx ? "nginx: no nginx on PATH, its path is skipped (Debian: apt-get install nginx)" : "nginx: off (--nginx off)");
}

const string Greeting = "Hello from the benchmark";
var body = Encoding.UTF8.GetBytes($$"""{"model":"{{LlmUnderTest.Model}}","messages":[{"role":"user","content":"{{Greeting}}"}]}""");
using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, PooledConnectionLifetime = TimeSpan.FromMinutes(30) }) { Timeout = TimeSpan.FromSeconds(60) };
var load = new ChatLoad(client, body);

// Every path must reach the fake and bring its answer back before its speed means anything.
foreach (var path in paths)
{
    var (status, text) = await load.AskOnceAsync(path);
    if (status != HttpStatusCode.OK || !text.Contains("You said: " + Greeting, StringComparison.Ordinal))
    {
        Console.Error.WriteLine($"{path.Name} ({path.Endpoint}) did not answer the chat: {(int)status} {text}");
        return 1;
    }
}

// Each call through the gateway ends with an outcome report to PoolService; these count the ones owed.
long gatewayCalls = 1;
var notes = new List<string>();

Console.WriteLine();
Console.WriteLine("| concurrency | path | req/s | p50 ms | p95 ms | p99 ms | added p50 / p95 / p99 ms | req/s vs direct | errors |");
Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
var failures = new Dictionary<string, int>(StringComparer.Ordinal);
foreach (var concurrency in options.Concurrency)
{
    // Rounds of warm-up until the JIT has had time to recompile the hot paths (tier-up starts 100 ms after the first calls).
    if (options.Warmup > 0)
    {
        var warming = Stopwatch.StartNew();
        do
        {
            foreach (var path in paths)
            {
                await RunAsync(path, options.Warmup, concurrency);
            }
        }
        while (warming.Elapsed < TimeSpan.FromSeconds(2));
    }

    var owed = TimeSpan.Zero;

    // Slices in turns, the order rotating each round, so that what else the machine does hits every path alike.
    var slices = paths.ToDictionary(p => p, _ => new List<Sample>());
    for (var round = 0; round < options.Rounds; round++)
    {
        var size = (options.Requests / options.Rounds) + (round < options.Requests % options.Rounds ? 1 : 0);
        for (var k = 0; k < paths.Count; k++)
        {
            var path = paths[(round + k) % paths.Count];
            var (slice, waited) = await RunAsync(path, size, concurrency);
            slices[path].Add(slice);
            owed += waited;
        }
    }

    notes.Add(string.Create(CultureInfo.InvariantCulture, $"concurrency {concurrency}: the gateway's outcome reports had all landed {owed.TotalMilliseconds:F0} ms after its slices' last answers (summed over {options.Rounds} slices; counted in its req/s)"));
    var direct = Sample.Merge(slices[stack.Direct]);
    foreach (var path in paths)
    {
        var result = Sample.Merge(slices[path]);
        var added = path == stack.Direct ? "—" : $"{Ms(result.Percentile(0.50) - direct.Percentile(0.50))} / {Ms(result.Percentile(0.95) - direct.Percentile(0.95))} / {Ms(result.Percentile(0.99) - direct.Percentile(0.99))}";
        var ratio = path == stack.Direct ? "—" : (result.RequestsPerSecond / direct.RequestsPerSecond).ToString("F2", CultureInfo.InvariantCulture);
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"| {concurrency} | {path.Name} | {result.RequestsPerSecond:F0} | {Ms(result.Percentile(0.50))} | {Ms(result.Percentile(0.95))} | {Ms(result.Percentile(0.99))} | {added} | {ratio} | {result.ErrorCount} |"));
        foreach (var (kind, count) in result.Errors)
        {
            failures[$"{path.Name}: {kind}"] = failures.GetValueOrDefault($"{path.Name}: {kind}") + count;
        }
    }
}

Console.WriteLine();
notes.ForEach(Console.WriteLine);
Console.WriteLine($"load average at the end: {BenchMachine.LoadAverage()}");
if (failures.Count > 0)
{
    Console.WriteLine($"NOT CLEAN: {failures.Values.Sum()} requests failed ({string.Join(", ", failures.Select(f => $"{f.Key} ×{f.Value}"))}); their times are in the figures above.");
    return 1;
}

return 0;

// A slice of the gateway ends when PoolService has recorded its calls' outcomes, not merely when the last answer is out:
// outcomes reported in the background are work still to do, and must not spill into the next slice.
async Task<(Sample Slice, TimeSpan Waited)> RunAsync(ChatPath path, int requests, int concurrency)
{
    var slice = await load.RunAsync(path, requests, concurrency);
    if (path != stack.Gateway)
    {
        return (slice, TimeSpan.Zero);
    }

    gatewayCalls += slice.Requests - slice.ErrorCount;
    var (waited, landed) = await stack.WaitForOutcomesAsync(gatewayCalls, TimeSpan.FromSeconds(60));
    if (!landed)
    {
        notes.Add($"concurrency {concurrency}: PoolService had not recorded all {gatewayCalls} outcomes after {waited.TotalSeconds:F0} s");
    }

    return (slice with { Elapsed = slice.Elapsed + waited }, waited);
}

static string Ms(double value) => value.ToString("F2", CultureInfo.InvariantCulture);

