using System.Globalization;
using Gateway.Bench;
using Gateway.Pool.Bench;

if (args is ["proxies", .. var rest])
{
    Console.WriteLine(BenchMachine.Describe());
    var calls = rest is [_, var n, ..] && rest[0] == "--calls" ? int.Parse(n, CultureInfo.InvariantCulture) : 2000;
    await ProxyCost.RunAsync(calls, rounds: 6);
    return 0;
}

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
Console.WriteLine($"leases {options.Leases} per row (after {options.Warmup} warm-up), store SQLite, LocalSidecar");
Console.WriteLine();
Console.WriteLine("| replicas | path | concurrency | leases/s | p50 ms | p99 ms | granted | 503 | errors |");
Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
foreach (var replicas in options.Replicas)
{
    await using var pool = await PoolUnderTest.StartAsync(replicas);
    var clients = pool.Endpoints.Select(e => new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { BaseAddress = e, Timeout = TimeSpan.FromSeconds(60) }).ToList();
    var load = new LeaseLoad(clients);

    // "open" grants every lease (a state write per grant); "shut" refuses all but the first (no write).
    foreach (var (model, path) in new[] { ("open", "granted"), ("shut", "refused (503)") })
    {
        if (options.Warmup > 0)
        {
            await load.RunAsync(model, options.Warmup, options.Concurrency.Max());
        }

        foreach (var concurrency in options.Concurrency)
        {
            var result = await load.RunAsync(model, options.Leases, concurrency);
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"| {replicas} | {path} | {concurrency} | {result.LeasesPerSecond:F0} | {result.Percentile(0.50):F2} | {result.Percentile(0.99):F2} | {result.Granted} | {result.Refused} | {result.Failed} |"));
        }
    }

    clients.ForEach(c => c.Dispose());
}

return 0;
