using System.Net;
using System.Text.Json;
using Gateway.BillingService.Tests.Support;

namespace Gateway.BillingService.Tests.Apis;

/// <summary>
/// An account's balance never goes below minus its credit limit (0 unless the operator sets one):
/// an estimate finalized above what the account can still pay is charged up to that point and the
/// rest recorded as unpaid, on the reservation, on the account and as an <c>unpaid</c> entry.
/// </summary>
public abstract class CreditLimitScenarios(StackFixture fixture)
{
    private BillingStack Stack => fixture.Shared;

    private BillingApi Api => Stack.Api;

    /// <summary>
    /// Credited, credit limit, the hold finalized, another hold left open, the amount asked; then
    /// what is charged and what is unpaid. The other hold is never eaten into: it can still be
    /// charged in full afterwards.
    /// </summary>
    public static TheoryData<long, long, long, long, long, long, long> Overages() => new()
    {
        // credited  limit  hold  other   asked     charged  unpaid
        { 1_000,     0,     100,  0,      500_000,  1_000,   499_000 },
        { 1_000,     0,     100,  0,      100,      100,     0 },
        { 1_000,     0,     100,  0,      999,      999,     0 },
        { 1_000,     0,     100,  0,      1_000,    1_000,   0 },
        { 1_000,     0,     100,  0,      1_001,    1_000,   1 },
        { 1_000,     250,   100,  0,      5_000,    1_250,   3_750 },
        { 1_000,     250,   100,  600,    5_000,    650,     4_350 },
        { 1_000,     0,     100,  900,    100,      100,     0 },
        { 1_000,     0,     100,  900,    150,      100,     50 },
        { 1_000,     0,     1_000, 0,     1_000_000_000_000_000, 1_000, 999_999_999_999_000 },
    };

    [Theory]
    [MemberData(nameof(Overages))]
    public async Task Finalize_AboveWhatTheAccountCanPay_ChargesUpToTheLimitAndRecordsTheRestUnpaid(long credited, long limit, long hold, long other, long asked, long charged, long unpaid)
    {
        var account = BillingApiScenarios.NewAccount();
        await Api.CreditOkAsync(account, credited);
        if (limit > 0)
        {
            Assert.Equal(HttpStatusCode.OK, (await Api.SetCreditLimitAsync(account, limit)).Status);
        }

        var id = await Api.ReserveOkAsync(account, hold);
        var otherId = other > 0 ? await Api.ReserveOkAsync(account, other) : null;

        var finalized = await Api.FinalizeAsync(id, asked, "succeeded");
        var afterFirst = await Api.AccountAsync(account);
        var repeat = await Stack.ApiOf(1).FinalizeAsync(id, asked, "again");
        var otherAmount = await Api.FinalizeAsync(id, asked - 1);

        Assert.True(finalized.Status == HttpStatusCode.OK, finalized.ToString());
        Assert.Equal(("finalized", charged, Math.Max(0, charged - hold), unpaid), (finalized.String("status"), finalized.Long("finalAmount"), finalized.Long("overage"), finalized.Long("unpaid")));
        Assert.Equal((credited - charged, unpaid, limit), (afterFirst.Long("balance"), afterFirst.Long("unpaid"), afterFirst.Long("creditLimit")));
        Assert.True(afterFirst.Long("balance") >= -limit, afterFirst.ToString());
        Assert.True(afterFirst.Long("available") >= 0, afterFirst.ToString());
        Assert.Equal(HttpStatusCode.OK, repeat.Status);
        Assert.True(Json.Same(finalized.Body, repeat.Body), repeat.ToString());
        Assert.Equal(HttpStatusCode.Conflict, otherAmount.Status);
        var entries = await Api.EntriesAsync(account);
        var charge = Assert.Single(entries, e => e.GetProperty("kind").GetString() == "charge");
        Assert.Equal(charged, charge.GetProperty("amount").GetInt64());
        if (unpaid > 0)
        {
            var recorded = Assert.Single(entries, e => e.GetProperty("kind").GetString() == "unpaid");
            Assert.Equal((unpaid, id, credited - charged, "succeeded"), (recorded.GetProperty("amount").GetInt64(), recorded.GetProperty("reservationId").GetString(), recorded.GetProperty("balanceAfter").GetInt64(), recorded.GetProperty("reason").GetString()));
        }
        else
        {
            Assert.DoesNotContain(entries, e => e.GetProperty("kind").GetString() == "unpaid");
        }

        if (otherId is not null)
        {
            var otherFinalized = await Api.FinalizeAsync(otherId, other);
            Assert.Equal((other, 0L), (otherFinalized.Long("finalAmount"), otherFinalized.Long("unpaid")));
        }

        var end = await Api.AccountAsync(account);
        Assert.True(end.Long("balance") >= -limit, end.ToString());
        await LedgerChecks.AssertBooksBalanceAsync(Stack, account, credited, reservations: otherId is null ? 1 : 2);
    }

    [Fact]
    public async Task CreditLimit_Set_LetsReservesUseItAndOverageStopsAtIt()
    {
        var account = BillingApiScenarios.NewAccount();
        await Api.CreditOkAsync(account, 1_000);

        var set = await Api.SetCreditLimitAsync(account, 300);
        var all = await Api.ReserveAsync(account, 1_300);
        var more = await Api.ReserveAsync(account, 1);
        var finalized = await Api.FinalizeAsync(all.String("reservationId"), 2_000);
        var read = await Api.AccountAsync(account);

        Assert.True(set.Status == HttpStatusCode.OK, set.ToString());
        Assert.Equal((account, 1_000L, 300L, 1_300L, 0L), (set.String("accountId"), set.Long("balance"), set.Long("creditLimit"), set.Long("available"), set.Long("unpaid")));
        Assert.Equal(HttpStatusCode.Created, all.Status);
        Assert.Equal(HttpStatusCode.PaymentRequired, more.Status);
        Assert.Equal((1_300L, 700L), (finalized.Long("finalAmount"), finalized.Long("unpaid")));
        Assert.Equal((-300L, 0L, 0L, 700L, 1_300L), (read.Long("balance"), read.Long("held"), read.Long("available"), read.Long("unpaid"), read.Long("charged")));
    }

    [Fact]
    public async Task CreditLimit_OnANewAccount_OpensItPostpaid()
    {
        var account = BillingApiScenarios.NewAccount();

        var set = await Api.SetCreditLimitAsync(account, 1_000);
        var id = await Api.ReserveOkAsync(account, 400);
        var finalized = await Api.FinalizeAsync(id, 2_500);
        var read = await Api.AccountAsync(account);

        Assert.Equal((0L, 1_000L, 1_000L), (set.Long("balance"), set.Long("creditLimit"), set.Long("available")));
        Assert.Equal((1_000L, 1_500L), (finalized.Long("finalAmount"), finalized.Long("unpaid")));
        Assert.Equal((-1_000L, 0L, 1_500L, 0L), (read.Long("balance"), read.Long("available"), read.Long("unpaid"), read.Long("credited")));
        await LedgerChecks.AssertBooksBalanceAsync(Stack, account, credited: 0, reservations: 1);
    }

    [Fact]
    public async Task CreditLimit_LoweredBelowWhatIsInUse_Returns409AndChangesNothing()
    {
        var account = BillingApiScenarios.NewAccount();
        await Api.CreditOkAsync(account, 100);
        await Api.SetCreditLimitAsync(account, 500);
        await Api.ReserveOkAsync(account, 600);
        var before = await Api.AccountAsync(account);

        var lowered = await Api.SetCreditLimitAsync(account, 499);
        var unchanged = await Api.AccountAsync(account);
        var same = await Api.SetCreditLimitAsync(account, 500);
        var raised = await Api.SetCreditLimitAsync(account, 800);

        Assert.True(lowered.Status == HttpStatusCode.Conflict, lowered.ToString());
        Assert.Equal("application/problem+json", lowered.ContentType);
        Assert.Equal(("urn:gateway:problem:billing:credit-limit-in-use", "credit_limit_in_use", 500L), (lowered.ProblemType, lowered.String("code"), lowered.Long("minimum")));
        Assert.True(Json.Same(before.Body, unchanged.Body));
        Assert.Equal((HttpStatusCode.OK, 500L), (same.Status, same.Long("creditLimit")));
        Assert.Equal((800L, 300L), (raised.Long("creditLimit"), raised.Long("available")));
    }

    /// <summary>
    /// The operator lowers the credit limit to 0 while reserves race on both replicas: either the
    /// lowering lands while the holds still fit the balance, and no reserve gets past it after, or it
    /// is refused; the account never holds more than it can pay.
    /// </summary>
    [Fact]
    public async Task CreditLimit_LoweredWhileReservesRace_NeverLeavesTheHoldsUncovered()
    {
        var account = BillingApiScenarios.NewAccount();
        await Api.CreditOkAsync(account, 1_000);
        await Api.SetCreditLimitAsync(account, 1_000);

        var answers = await BillingApiScenarios.Concurrently(22, i => i < 2
            ? Stack.ApiOf(i).SetCreditLimitAsync(account, 0)
            : Stack.ApiOf(i).ReserveAsync(account, 100, reference: "r" + i));

        var read = await Api.AccountAsync(account);
        var created = answers.Skip(2).Count(a => a.Status == HttpStatusCode.Created);
        Assert.All(answers.Skip(2), a => Assert.True(a.Status is HttpStatusCode.Created or HttpStatusCode.PaymentRequired, a.ToString()));
        Assert.All(answers.Take(2), a => Assert.True(a.Status is HttpStatusCode.OK or HttpStatusCode.Conflict, a.ToString()));
        Assert.Equal(created * 100L, read.Long("held"));
        Assert.True(read.Long("available") >= 0, read.ToString());
        if (answers.Take(2).Any(a => a.Status == HttpStatusCode.OK))
        {
            Assert.Equal(0L, read.Long("creditLimit"));
            Assert.True(read.Long("held") <= 1_000, read.ToString());
        }
        else
        {
            Assert.Equal(1_000L, read.Long("creditLimit"));
            Assert.All(answers.Take(2), a => Assert.True(a.Long("minimum") > 0, a.ToString()));
        }
    }

    /// <summary>
    /// Twenty reservations on one account, each finalized by five concurrent requests asking
    /// different overages, across both replicas: one winner per reservation, every loser told the
    /// winner, and the balance ends exactly at the credit limit, never below it.
    /// </summary>
    [Fact]
    public async Task Finalize_ConcurrentOveragesOnOneAccount_NeverGoBelowTheLimitAndOneWinsEachReservation()
    {
        const long Limit = 500;
        const int Reservations = 20;
        const int PerReservation = 5;
        var account = BillingApiScenarios.NewAccount();
        await Api.CreditOkAsync(account, 2_000);
        Assert.Equal(HttpStatusCode.OK, (await Api.SetCreditLimitAsync(account, Limit)).Status);
        var ids = new List<string>();
        for (var i = 0; i < Reservations; i++)
        {
            ids.Add(await Api.ReserveOkAsync(account, 100));
        }

        var answers = await BillingApiScenarios.Concurrently(Reservations * PerReservation, i =>
            Stack.ApiOf(i).FinalizeAsync(ids[i % Reservations], 100 + ((i / Reservations) + 1) * 150, "race-" + i));

        long charged = 0, unpaid = 0;
        for (var r = 0; r < Reservations; r++)
        {
            var mine = answers.Where((_, i) => i % Reservations == r).ToList();
            var winner = Assert.Single(mine, a => a.Status == HttpStatusCode.OK).Body;
            Assert.All(mine.Where(a => a.Status != HttpStatusCode.OK), l =>
            {
                Assert.True(l.Status == HttpStatusCode.Conflict, l.ToString());
                Assert.True(Json.Same(winner, l.Body.GetProperty("reservation")), l.ToString());
            });
            charged += winner.GetProperty("finalAmount").GetInt64();
            unpaid += winner.GetProperty("unpaid").GetInt64();
        }

        var read = await Api.AccountAsync(account);
        Assert.Equal((-Limit, 0L, 0L), (read.Long("balance"), read.Long("held"), read.Long("available")));
        Assert.Equal((2_000 + Limit, unpaid), (charged, read.Long("unpaid")));
        await LedgerChecks.AssertBooksBalanceAsync(Stack, account, credited: 2_000, reservations: Reservations);
    }
}

[Collection(OnSqlite.Name)]
public sealed class SqliteCreditLimitScenarios(SqliteStackFixture fixture) : CreditLimitScenarios(fixture);

[Collection(OnPostgres.Name)]
public sealed class PostgresCreditLimitScenarios(PostgresStackFixture fixture) : CreditLimitScenarios(fixture);
