using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace Gateway.Billing.Bench;

/// <summary>Latencies of one run, in milliseconds, and its throughput.</summary>
internal sealed record LoadResult(int Pairs, TimeSpan Elapsed, double[] PairMs, double[] ReserveMs, double[] FinalizeMs)
{
    public double PairsPerSecond => Pairs / Elapsed.TotalSeconds;

    public static double Percentile(double[] sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}

/// <summary>
/// Drives reserve → finalize pairs against BillingService, <c>concurrency</c> pairs in flight, each
/// on one of <c>accounts</c> accounts (round robin), and checks the books afterwards.
/// </summary>
internal sealed class PairLoad(HttpClient client, int accounts)
{
    private const long Hold = 100;
    private const long Charge = 80;
    private readonly string[] _accounts = [.. Enumerable.Range(0, accounts).Select(i => $"bench-{Guid.NewGuid():N}"[..24] + "-" + i)];
    private long _pairsDone;

    public async Task CreditAsync(long perAccount)
    {
        foreach (var account in _accounts)
        {
            using var response = await client.PostAsJsonAsync($"/accounts/{account}/credits", new { amount = perAccount, idempotencyKey = "seed" }).ConfigureAwait(false);
            response.EnsureSuccessStatusCode();
        }
    }

    public async Task<LoadResult> RunAsync(int pairs, int concurrency)
    {
        var pairMs = new double[pairs];
        var reserveMs = new double[pairs];
        var finalizeMs = new double[pairs];
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, pairs), new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (i, token) =>
        {
            var account = _accounts[i % _accounts.Length];
            var start = Stopwatch.GetTimestamp();
            using var reserve = await client.PostAsJsonAsync("/reservations", new { accountId = account, reference = $"bench-{i}", provider = "bench", operation = "POST /v1/tasks", amount = Hold, amountType = "estimate" }, token).ConfigureAwait(false);
            Expect(reserve, HttpStatusCode.Created);
            var id = (await reserve.Content.ReadFromJsonAsync<JsonElement>(token).ConfigureAwait(false)).GetProperty("reservationId").GetString();
            var reserved = Stopwatch.GetTimestamp();
            using var finalize = await client.PostAsJsonAsync($"/reservations/{id}/finalize", new { amount = Charge }, token).ConfigureAwait(false);
            Expect(finalize, HttpStatusCode.OK);
            var end = Stopwatch.GetTimestamp();
            reserveMs[i] = Stopwatch.GetElapsedTime(start, reserved).TotalMilliseconds;
            finalizeMs[i] = Stopwatch.GetElapsedTime(reserved, end).TotalMilliseconds;
            pairMs[i] = Stopwatch.GetElapsedTime(start, end).TotalMilliseconds;
        }).ConfigureAwait(false);
        clock.Stop();
        Interlocked.Add(ref _pairsDone, pairs);
        Array.Sort(pairMs);
        Array.Sort(reserveMs);
        Array.Sort(finalizeMs);
        return new LoadResult(pairs, clock.Elapsed, pairMs, reserveMs, finalizeMs);
    }

    /// <summary>Every pair charged exactly <see cref="Charge"/> and left nothing held.</summary>
    public async Task VerifyAsync(long perAccount)
    {
        long balances = 0;
        foreach (var account in _accounts)
        {
            var read = await client.GetFromJsonAsync<JsonElement>($"/accounts/{account}").ConfigureAwait(false);
            if (read.GetProperty("held").GetInt64() != 0)
            {
                throw new InvalidOperationException($"{account} still holds {read.GetProperty("held")}");
            }

            balances += read.GetProperty("balance").GetInt64();
        }

        var expected = (perAccount * _accounts.Length) - (Charge * Interlocked.Read(ref _pairsDone));
        if (balances != expected)
        {
            throw new InvalidOperationException($"Balances sum to {balances}, expected {expected}.");
        }
    }

    private static void Expect(HttpResponseMessage response, HttpStatusCode status)
    {
        if (response.StatusCode != status)
        {
            throw new InvalidOperationException($"{response.RequestMessage?.RequestUri} answered {(int)response.StatusCode}, expected {(int)status}.");
        }
    }
}
