using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Gateway.BillingService.Apis;
using Gateway.BillingService.Tests.Support;
using Xunit.Abstractions;

namespace Gateway.BillingService.Tests.Apis;

/// <summary>
/// Exactly-once under contention, through HTTP on two replicas (each with its own sidecar) over
/// one store: within a replica, lanes serialise an account's writes, so only the ETags in the
/// state transactions can stop the two replicas from both winning.
/// </summary>
public abstract class ConcurrencyScenarios(StackFixture fixture, ITestOutputHelper output)
{
    private BillingStack Stack => fixture.Shared;

    private BillingApi Api => Stack.Api;

    [Fact]
    public async Task Finalize_FiftyConcurrentDifferentOutcomes_ExactlyOneWinsAndEveryLoserSeesTheWinner()
    {
        var account = BillingApiScenarios.NewAccount();
        await Api.CreditOkAsync(account, 10_000);
        var id = await Api.ReserveOkAsync(account, 1_000);

        // 49 finalizes with distinct amounts (some above the hold) and one release: 50 different outcomes.
        var answers = await BillingApiScenarios.Concurrently(50, i => i == 0
            ? Stack.ApiOf(i).ReleaseAsync(id, "storm")
            : Stack.ApiOf(i).FinalizeAsync(id, i * 37));

        var winners = answers.Where(a => a.Status == HttpStatusCode.OK).ToList();
        var winner = Assert.Single(winners).Body;
        var losers = answers.Where(a => a.Status != HttpStatusCode.OK).ToList();
        Assert.Equal(49, losers.Count);
        Assert.All(losers, l =>
        {
            Assert.True(l.Status == HttpStatusCode.Conflict, l.ToString());
            Assert.Equal(BillingProblems.ReservationConflictType, l.ProblemType);
            Assert.True(Json.Same(winner, l.Body.GetProperty("reservation")), l.ToString());
        });

        var charged = winner.GetProperty("finalAmount").GetInt64();
        var winningRequest = Array.IndexOf(answers, winners[0]);
        Assert.Equal(winningRequest == 0 ? 0 : winningRequest * 37, charged);
        Assert.Equal(winningRequest == 0 ? "released" : "finalized", winner.GetProperty("status").GetString());
        await AssertLedgerAsync(account, credited: 10_000, charged: charged, reservations: 1);

        // A late repeat of the winning request still answers 200 with the same outcome.
        var repeat = winningRequest == 0 ? await Api.ReleaseAsync(id, "again") : await Api.FinalizeAsync(id, charged);
        Assert.Equal(HttpStatusCode.OK, repeat.Status);
        Assert.True(Json.Same(winner, repeat.Body));
    }

    [Fact]
    public async Task Finalize_TwentyConcurrentIdenticalRequests_AllAnswerTheOutcomeAndChargeOnce()
    {
        var account = BillingApiScenarios.NewAccount();
        await Api.CreditOkAsync(account, 1_000);
        var id = await Api.ReserveOkAsync(account, 500);

        var answers = await BillingApiScenarios.Concurrently(20, i => Stack.ApiOf(i).FinalizeAsync(id, 420));

        Assert.All(answers, a => Assert.True(a.Status == HttpStatusCode.OK, a.ToString()));
        Assert.All(answers, a => Assert.True(Json.Same(answers[0].Body, a.Body)));
        await AssertLedgerAsync(account, credited: 1_000, charged: 420, reservations: 1);
    }

    [Fact]
    public async Task Reserve_ConcurrentOnOneAccount_NeverHoldsMoreThanTheBalance()
    {
        var account = BillingApiScenarios.NewAccount();
        await Api.CreditOkAsync(account, 1_000);

        var answers = await BillingApiScenarios.Concurrently(40, i => Stack.ApiOf(i).ReserveAsync(account, 100, reference: "r" + i));

        Assert.Equal(10, answers.Count(a => a.Status == HttpStatusCode.Created));
        Assert.Equal(30, answers.Count(a => a.Status == HttpStatusCode.PaymentRequired));
        var read = await Api.AccountAsync(account);
        Assert.Equal((1_000L, 1_000L, 0L), (read.Long("balance"), read.Long("held"), read.Long("available")));
        Assert.Equal(10, (await Api.EntriesAsync(account)).Count(e => e.GetProperty("kind").GetString() == "hold"));
    }

    /// <summary>
    /// A thousand reserve → finalize pairs, 32 at a time, over four accounts and two replicas (each
    /// finalize on the other replica than its reserve), with releases, charges below, at and above
    /// the hold: money is conserved and nothing stays held.
    /// </summary>
    [Fact]
    public async Task ReserveThenFinalize_ThousandConcurrentPairs_ConserveMoneyAndLeaveNoHold()
    {
        const int Pairs = 1_000;
        var accounts = Enumerable.Range(0, 4).Select(_ => BillingApiScenarios.NewAccount()).ToArray();
        var credited = new Dictionary<string, long>();
        foreach (var account in accounts)
        {
            await Api.CreditOkAsync(account, 2_000_000);
            await Stack.ApiOf(1).CreditOkAsync(account, 500_000);
            credited[account] = 2_500_000;
        }

        var charged = new ConcurrentDictionary<string, long>();
        var reserved = new ConcurrentDictionary<string, int>();
        var retries = 0;
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, Pairs), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, _) =>
        {
            var account = accounts[i % accounts.Length];
            var hold = 1 + (i * 7_919 % 500);
            var reserve = await RetryingContentionAsync(() => Stack.ApiOf(i).ReserveAsync(account, hold, amountType: i % 7 == 0 ? "fixed" : "estimate", idempotencyKey: $"pair-{i}-{account}", reference: "pair-" + i));
            Assert.True(reserve.Status == HttpStatusCode.Created, reserve.ToString());
            var id = reserve.String("reservationId");
            reserved.AddOrUpdate(account, 1, (_, n) => n + 1);
            var other = Stack.ApiOf(i + 1);
            var resolved = await RetryingContentionAsync(() => (i % 7, i % 5) switch
            {
                (0, _) => other.FinalizeAsync(id, hold),
                (_, 0) => other.ReleaseAsync(id, "error_http_502"),
                (_, 1) => other.FinalizeAsync(id, 0),
                _ => other.FinalizeAsync(id, i * 31 % 800),
            });
            Assert.True(resolved.Status == HttpStatusCode.OK, resolved.ToString());
            charged.AddOrUpdate(account, resolved.Long("finalAmount"), (_, c) => c + resolved.Long("finalAmount"));
        });
        output.WriteLine($"{Pairs} pairs in {clock.Elapsed.TotalSeconds:F1} s on {fixture.Kind}, {retries} retries after 503 contention");

        long balances = 0;
        foreach (var account in accounts)
        {
            await AssertLedgerAsync(account, credited[account], charged.GetValueOrDefault(account), reserved[account]);
            balances += (await Api.AccountAsync(account)).Long("balance");
        }

        Assert.Equal(credited.Values.Sum() - charged.Values.Sum(), balances);
        Assert.Equal(Pairs, reserved.Values.Sum());

        // 503 contention is the documented "nothing changed, retry" answer of a hot account (32
        // callers on 4 accounts through 2 replicas, on a loaded machine): a caller retries it, with the
        // same idempotency key for a reserve; a finalize or release repeated answers what was decided.
        async Task<ApiResponse> RetryingContentionAsync(Func<Task<ApiResponse>> call)
        {
            for (var attempt = 1; ; attempt++)
            {
                var response = await call();
                if (response.Status != HttpStatusCode.ServiceUnavailable || attempt == 20
                    || !response.Body.TryGetProperty("code", out var code) || code.GetString() != "contention")
                {
                    return response;
                }

                Interlocked.Increment(ref retries);
                await Task.Delay(20 * attempt);
            }
        }
    }

    private Task AssertLedgerAsync(string accountId, long credited, long charged, int reservations) =>
        LedgerChecks.AssertBooksBalanceAsync(Stack, accountId, credited, reservations, charged);
}

[Collection(OnSqlite.Name)]
public sealed class SqliteConcurrencyScenarios(SqliteStackFixture fixture, ITestOutputHelper output) : ConcurrencyScenarios(fixture, output);

[Collection(OnPostgres.Name)]
public sealed class PostgresConcurrencyScenarios(PostgresStackFixture fixture, ITestOutputHelper output) : ConcurrencyScenarios(fixture, output);
