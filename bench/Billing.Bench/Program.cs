using System.Globalization;
using Gateway.Bench;
using Gateway.Billing.Bench;

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
Console.WriteLine($"pairs {options.Pairs} per run, warmup {options.Warmup}, accounts {options.Accounts}");
Console.WriteLine();
Console.WriteLine("| store | concurrency | pairs/s | pair p50 ms | pair p99 ms | reserve p50 / p99 ms | finalize p50 / p99 ms |");
Console.WriteLine("|---|---|---|---|---|---|---|");
const long PerAccount = 1_000_000_000_000;
foreach (var store in options.Stores)
{
    await using var billing = await BillingUnderTest.StartAsync(store);
    using var client = new HttpClient(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5) }) { BaseAddress = billing.Endpoint, Timeout = TimeSpan.FromSeconds(60) };
    client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", BillingUnderTest.OperatorToken);
    var load = new PairLoad(client, options.Accounts);
    await load.CreditAsync(PerAccount);
    foreach (var concurrency in options.Concurrency)
    {
        if (options.Warmup > 0)
        {
            await load.RunAsync(options.Warmup, concurrency);
        }

        var result = await load.RunAsync(options.Pairs, concurrency);
        await load.VerifyAsync(PerAccount);
        Console.WriteLine(string.Create(
            CultureInfo.InvariantCulture,
            $"| {store} | {concurrency} | {result.PairsPerSecond:F0} | {P(result.PairMs, 0.50)} | {P(result.PairMs, 0.99)} | {P(result.ReserveMs, 0.50)} / {P(result.ReserveMs, 0.99)} | {P(result.FinalizeMs, 0.50)} / {P(result.FinalizeMs, 0.99)} |"));
    }
}

return 0;

static string P(double[] sorted, double p) => LoadResult.Percentile(sorted, p).ToString("F1", CultureInfo.InvariantCulture);
