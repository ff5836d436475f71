using Gateway.Testing;
using Microsoft.Extensions.Time.Testing;
using System.Net;
using System.Text.Json;
using Gateway.BillingService.Apis;
using Gateway.BillingService.Model;
using Gateway.BillingService.Tests.Support;

namespace Gateway.BillingService.Tests.Apis;

/// <summary>
/// Expiry on a manual business clock: BillingService in process with the clock injected, state
/// through real LocalSidecar processes. Each test owns a fresh store.
/// </summary>
public abstract class ExpiryScenarios(StackFixture fixture)
{
    private static readonly DateTimeOffset s_start = new(2030, 1, 1, 0, 0, 3, TimeSpan.Zero);

    // The timer stays quiet unless a test wants it: the tests sweep by hand, replicas racing.
    private static readonly Dictionary<string, string?> s_quietSweeper = new() { ["Billing:SweepInterval"] = "01:00:00" };

    private readonly FakeTimeProvider _clock = new(s_start);

    [Fact]
    public async Task Sweep_AfterExpiry_ExpiresTheReservationOnceAndReleasesItsHold()
    {
        await using var stack = await fixture.StartStackAsync(1, _clock, s_quietSweeper);
        var api = stack.Api;
        var account = BillingApiScenarios.NewAccount();
        await api.CreditOkAsync(account, 1_000);
        var id = await api.ReserveOkAsync(account, 400, ttlSeconds: 30);

        _clock.Advance(TimeSpan.FromSeconds(29));
        var early = await stack.Replicas[0].Sweeper.SweepOnceAsync(default);
        var stillReserved = await api.GetReservationAsync(id);
        _clock.Advance(TimeSpan.FromSeconds(15));
        var due = await stack.Replicas[0].Sweeper.SweepOnceAsync(default);
        var again = await stack.Replicas[0].Sweeper.SweepOnceAsync(default);
        var finalize = await api.FinalizeAsync(id, 100);
        var release = await api.ReleaseAsync(id);

        Assert.Equal(0, early.Expired);
        Assert.Equal("reserved", stillReserved.String("status"));
        Assert.Equal(1, due.Expired);
        Assert.Equal(0, again.Expired);
        var expired = await api.GetReservationAsync(id);
        Assert.Equal(("expired", 0L, "expired"), (expired.String("status"), expired.Long("finalAmount"), expired.String("reason")));
        Assert.Equal(s_start + TimeSpan.FromSeconds(44), expired.Body.GetProperty("resolvedAt").GetDateTimeOffset());
        foreach (var refused in new[] { finalize, release })
        {
            Assert.Equal(HttpStatusCode.Conflict, refused.Status);
            Assert.Equal(BillingProblems.ReservationExpiredType, refused.ProblemType);
            Assert.Equal("reservation_expired", refused.String("code"));
            Assert.True(Json.Same(expired.Body, refused.Body.GetProperty("reservation")));
        }

        var read = await api.AccountAsync(account);
        Assert.Equal((1_000L, 0L, 1_000L), (read.Long("balance"), read.Long("held"), read.Long("available")));
        Assert.Equal(["credit", "hold", "release"], (await api.EntriesAsync(account)).Select(e => e.GetProperty("kind").GetString()));
    }

    [Fact]
    public async Task Finalize_AtExpiryBeforeAnySweep_ExpiresItselfAndAnswers409()
    {
        await using var stack = await fixture.StartStackAsync(1, _clock, s_quietSweeper);
        var api = stack.Api;
        var account = BillingApiScenarios.NewAccount();
        await api.CreditOkAsync(account, 1_000);
        var id = await api.ReserveOkAsync(account, 400, ttlSeconds: 30);
        var justBefore = await api.ReserveOkAsync(account, 100, ttlSeconds: 30);

        _clock.Advance(TimeSpan.FromSeconds(30) - TimeSpan.FromTicks(1));
        var inTime = await api.FinalizeAsync(justBefore, 100);
        _clock.Advance(TimeSpan.FromTicks(1));
        var late = await api.FinalizeAsync(id, 400);
        _clock.Advance(TimeSpan.FromMinutes(3));
        var sweep = await stack.Replicas[0].Sweeper.SweepOnceAsync(default);

        Assert.Equal(HttpStatusCode.OK, inTime.Status);
        Assert.Equal(HttpStatusCode.Conflict, late.Status);
        Assert.Equal(BillingProblems.ReservationExpiredType, late.ProblemType);
        Assert.Equal("expired", late.Body.GetProperty("reservation").GetProperty("status").GetString());
        Assert.Equal(0, sweep.Expired);
        var read = await api.AccountAsync(account);
        Assert.Equal((900L, 0L), (read.Long("balance"), read.Long("held")));
        Assert.Equal(2, (await api.EntriesAsync(account)).Count(e => e.GetProperty("kind").GetString() == "release"));
    }

    [Fact]
    public async Task Sweeper_OnItsInterval_ExpiresWithoutBeingCalled()
    {
        await using var stack = await fixture.StartStackAsync(1, _clock, new Dictionary<string, string?> { ["Billing:SweepInterval"] = "00:00:10" });
        var api = stack.Api;
        var account = BillingApiScenarios.NewAccount();
        await api.CreditOkAsync(account, 1_000);
        var id = await api.ReserveOkAsync(account, 400, ttlSeconds: 5);

        // Two ticks of the business clock; the pass they start runs on its own, in real time.
        _clock.Advance(TimeSpan.FromSeconds(20));
        var status = "reserved";
        for (var deadline = DateTime.UtcNow.AddSeconds(20); status == "reserved" && DateTime.UtcNow < deadline;)
        {
            await Task.Delay(50);
            status = (await api.GetReservationAsync(id)).String("status");
        }

        Assert.Equal("expired", status);
        Assert.Equal(0L, (await api.AccountAsync(account)).Long("held"));
    }

    [Fact]
    public async Task Reserve_WithoutTtl_ExpiresAfterTheConfiguredDefault()
    {
        await using var stack = await fixture.StartStackAsync(1, _clock, new Dictionary<string, string?>(s_quietSweeper) { ["Billing:DefaultReservationTtl"] = "00:02:00" });
        var account = BillingApiScenarios.NewAccount();
        await stack.Api.CreditOkAsync(account, 10);

        var reserved = await stack.Api.ReserveAsync(account, 10);

        Assert.Equal(s_start, reserved.Body.GetProperty("createdAt").GetDateTimeOffset());
        Assert.Equal(s_start + TimeSpan.FromMinutes(2), reserved.Body.GetProperty("expiresAt").GetDateTimeOffset());
    }

    /// <summary>
    /// Two replicas (each with its own sidecar) sweep the same expired reservations at the same
    /// time, twice each: every open reservation expires exactly once, resolved ones stay as they
    /// were, and once the grace has passed the cursor moves on and the buckets are deleted.
    /// </summary>
    [Fact]
    public async Task Sweep_TwoReplicasRacing_ExpireEveryOpenReservationExactlyOnce()
    {
        await using var stack = await fixture.StartStackAsync(2, _clock, s_quietSweeper);
        var accounts = Enumerable.Range(0, 3).Select(_ => BillingApiScenarios.NewAccount()).ToArray();
        foreach (var account in accounts)
        {
            await stack.Api.CreditOkAsync(account, 100_000);
        }

        List<(string Id, string Account, string Fate)> reservations = [];
        for (var i = 0; i < 36; i++)
        {
            var account = accounts[i % accounts.Length];
            var id = await stack.ApiOf(i).ReserveOkAsync(account, 100 + i, ttlSeconds: 20 + i);
            reservations.Add((id, account, (i % 4) switch { 0 => "finalized", 1 => "released", _ => "expired" }));
        }

        foreach (var (id, _, fate) in reservations.Where(r => r.Fate != "expired"))
        {
            var answer = fate == "finalized" ? await stack.Api.FinalizeAsync(id, 50) : await stack.Api.ReleaseAsync(id);
            Assert.Equal(HttpStatusCode.OK, answer.Status);
        }

        _clock.Advance(TimeSpan.FromSeconds(70));
        var racing = await Task.WhenAll(
            stack.Replicas[0].Sweeper.SweepOnceAsync(default),
            stack.Replicas[1].Sweeper.SweepOnceAsync(default),
            stack.Replicas[0].Sweeper.SweepOnceAsync(default),
            stack.Replicas[1].Sweeper.SweepOnceAsync(default));

        var open = reservations.Count(r => r.Fate == "expired");
        Assert.Equal(open, racing.Sum(r => r.Expired));
        foreach (var (id, _, fate) in reservations)
        {
            Assert.Equal(fate, (await stack.ApiOf(1).GetReservationAsync(id)).String("status"));
        }

        foreach (var account in accounts)
        {
            var read = await stack.Api.AccountAsync(account);
            var mine = reservations.Where(r => r.Account == account).ToList();
            Assert.Equal(0L, read.Long("held"));
            Assert.Equal(100_000L - (50L * mine.Count(r => r.Fate == "finalized")), read.Long("balance"));
            var releases = (await stack.Api.EntriesAsync(account)).Where(e => e.GetProperty("kind").GetString() == "release").ToList();
            Assert.Equal(mine.Select(r => r.Id).Order(StringComparer.Ordinal), releases.Select(e => e.GetProperty("reservationId").GetString()!).Order(StringComparer.Ordinal));
            Assert.Equal(mine.Count(r => r.Fate == "expired"), releases.Count(e => e.GetProperty("reason").GetString() == "expired"));
        }

        // Past the grace: the cursor passes the buckets and deletes them, whoever wins the race.
        _clock.Advance(TimeSpan.FromMinutes(2));
        var after = await Task.WhenAll(stack.Replicas[0].Sweeper.SweepOnceAsync(default), stack.Replicas[1].Sweeper.SweepOnceAsync(default));
        var last = await stack.Replicas[1].Sweeper.SweepOnceAsync(default);

        Assert.Equal(0, after.Sum(r => r.Expired) + last.Expired);
        var cursor = await stack.Replicas[0].Store.GetAsync<ExpiryCursor>(StateKeys.ExpiryCursor, default);
        var lastExpiry = s_start + TimeSpan.FromSeconds(20 + 35);
        Assert.True(cursor!.Value.Next > lastExpiry, $"cursor {cursor.Value.Next:o}");
        Assert.Equal(ExpiryBuckets.StartOf(_clock.GetUtcNow() - TimeSpan.FromMinutes(1)), cursor.Value.Next);
        for (var bucket = ExpiryBuckets.StartOf(s_start); bucket < cursor.Value.Next; bucket += ExpiryBuckets.Width)
        {
            foreach (var shard in Enumerable.Range(0, 16))
            {
                Assert.Null(await stack.Replicas[0].Store.GetAsync<JsonElement>(StateKeys.ExpiryBucket(bucket, shard), default));
            }
        }
    }

    [Fact]
    public async Task Sweep_FarBehind_CatchesUpOverSeveralPasses()
    {
        await using var stack = await fixture.StartStackAsync(1, _clock, new Dictionary<string, string?>(s_quietSweeper) { ["Billing:MaxBucketsPerSweep"] = "4" });
        var account = BillingApiScenarios.NewAccount();
        await stack.Api.CreditOkAsync(account, 10_000);
        var first = await stack.Replicas[0].Sweeper.SweepOnceAsync(default);
        var ids = new List<string>();
        for (var i = 0; i < 12; i++)
        {
            ids.Add(await stack.Api.ReserveOkAsync(account, 10, ttlSeconds: 10 + (i * 10)));
        }

        _clock.Advance(TimeSpan.FromMinutes(10));
        List<SweepReportView> passes = [];
        while (passes.Count < 50 && (await stack.Api.AccountAsync(account)).Long("held") > 0)
        {
            var pass = await stack.Replicas[0].Sweeper.SweepOnceAsync(default);
            passes.Add(new SweepReportView(pass.Buckets, pass.Expired, pass.Cursor));
        }

        Assert.True(passes.Count > 2, $"{passes.Count} passes");
        Assert.All(passes, p => Assert.True(p.Buckets <= 4));
        Assert.Equal(12, passes.Sum(p => p.Expired));
        Assert.Equal(passes.Select(p => p.Cursor).Order(), passes.Select(p => p.Cursor));
        Assert.True(passes[0].Cursor >= first.Cursor);
        Assert.All(ids, id => Assert.Equal("expired", stack.Api.GetReservationAsync(id).Result.String("status")));
    }

    private sealed record SweepReportView(int Buckets, int Expired, DateTimeOffset Cursor);
}

[Collection(OnSqlite.Name)]
public sealed class SqliteExpiryScenarios(SqliteStackFixture fixture) : ExpiryScenarios(fixture);

[Collection(OnPostgres.Name)]
public sealed class PostgresExpiryScenarios(PostgresStackFixture fixture) : ExpiryScenarios(fixture);
