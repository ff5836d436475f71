using Gateway.BillingService.Apis;
using Gateway.BillingService.Infrastructure;
using Gateway.BillingService.Model;
using Gateway.BillingService.Services;

namespace Gateway.BillingService.Tests.Services;

public sealed class BillingValidationTests
{
    private static readonly BillingOptions s_options = new();

    private static readonly ReserveRequest s_valid = new("acct-1", "call-1", "acme", "POST /v1/tasks", 100, "estimate", null, null);

    private static readonly (string Field, ReserveRequest Request)[] s_invalidReserves =
    [
        ("accountId", s_valid with { AccountId = null }),
        ("accountId", s_valid with { AccountId = "" }),
        ("accountId", s_valid with { AccountId = "a|b" }),
        ("accountId", s_valid with { AccountId = "a/b" }),
        ("accountId", s_valid with { AccountId = "-leading" }),
        ("accountId", s_valid with { AccountId = "trailing\n" }),
        ("accountId", s_valid with { AccountId = "é" }),
        ("accountId", s_valid with { AccountId = new string('a', 129) }),
        ("reference", s_valid with { Reference = null }),
        ("reference", s_valid with { Reference = "" }),
        ("reference", s_valid with { Reference = new string('r', 257) }),
        ("reference", s_valid with { Reference = "tab\there" }),
        ("provider", s_valid with { Provider = null }),
        ("provider", s_valid with { Provider = "a b" }),
        ("provider", s_valid with { Provider = new string('p', 65) }),
        ("operation", s_valid with { Operation = null }),
        ("operation", s_valid with { Operation = "bell\u0007" }),
        ("operation", s_valid with { Operation = new string('o', 257) }),
        ("amount", s_valid with { Amount = null }),
        ("amount", s_valid with { Amount = 0 }),
        ("amount", s_valid with { Amount = -1 }),
        ("amount", s_valid with { Amount = LedgerLimits.MaxAmount + 1 }),
        ("amount", s_valid with { Amount = long.MaxValue }),
        ("amountType", s_valid with { AmountType = null }),
        ("amountType", s_valid with { AmountType = "Estimate" }),
        ("amountType", s_valid with { AmountType = "usage" }),
        ("ttlSeconds", s_valid with { TtlSeconds = 0 }),
        ("ttlSeconds", s_valid with { TtlSeconds = -5 }),
        ("ttlSeconds", s_valid with { TtlSeconds = 86_401 }),
        ("ttlSeconds", s_valid with { TtlSeconds = long.MaxValue }),
        ("idempotencyKey", s_valid with { IdempotencyKey = "" }),
        ("idempotencyKey", s_valid with { IdempotencyKey = "has space" }),
        ("idempotencyKey", s_valid with { IdempotencyKey = new string('k', 201) }),
    ];

    public static TheoryData<string, int> InvalidReserves()
    {
        var data = new TheoryData<string, int>();
        for (var i = 0; i < s_invalidReserves.Length; i++)
        {
            data.Add(s_invalidReserves[i].Field, i);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(InvalidReserves))]
    public void TryReserve_InvalidField_FailsNamingTheField(string field, int row)
    {
        var request = s_invalidReserves[row].Request;
        Assert.False(BillingValidation.TryReserve(request, s_options, out var command, out var errors));
        Assert.Null(command);
        Assert.Equal([field], errors.Keys);
    }

    [Fact]
    public void TryReserve_EverythingWrong_ReportsEveryField()
    {
        Assert.False(BillingValidation.TryReserve(new ReserveRequest(null, null, null, null, null, null, 0, ""), s_options, out _, out var errors));
        Assert.Equal(["accountId", "amount", "amountType", "idempotencyKey", "operation", "provider", "reference", "ttlSeconds"], errors.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void TryReserve_FreeTextInAnyScript_IsAccepted()
    {
        Assert.True(BillingValidation.TryReserve(s_valid with { Reference = "appel n°7 — 東京", Operation = "POST /v1/tâches" }, s_options, out _, out var errors), string.Join(", ", errors.Keys));
        Assert.True(BillingValidation.TryRelease(new ReleaseRequest("erreur: délai dépassé"), out _, out _));
    }

    [Fact]
    public void TryReserve_Valid_BuildsTheCommandWithTheDefaultTtl()
    {
        Assert.True(BillingValidation.TryReserve(s_valid with { AmountType = "fixed", Amount = LedgerLimits.MaxAmount }, s_options, out var command, out var errors));
        Assert.Empty(errors);
        Assert.Equal(("acct-1", "call-1", "acme", "POST /v1/tasks", LedgerLimits.MaxAmount, AmountType.Fixed, s_options.DefaultReservationTtl, (string?)null),
            (command.AccountId, command.Reference, command.Provider, command.Operation, command.Amount, command.AmountType, command.Ttl, command.IdempotencyKeyHash));
    }

    [Fact]
    public void TryReserve_TtlAndKeyGiven_UsesTheTtlAndHashesTheKey()
    {
        Assert.True(BillingValidation.TryReserve(s_valid with { TtlSeconds = 86_400, IdempotencyKey = "key/with|odd~chars" }, s_options, out var command, out _));
        Assert.Equal(TimeSpan.FromDays(1), command.Ttl);
        Assert.Matches("^[0-9a-f]{64}$", command.IdempotencyKeyHash!);
    }

    [Fact]
    public void TryReserve_RequestHash_DependsOnEveryFieldButTheKey()
    {
        string Hash(ReserveRequest request) => BillingValidation.TryReserve(request, s_options, out var command, out _) ? command.RequestHash : throw new InvalidOperationException();

        var baseline = Hash(s_valid);
        Assert.Equal(baseline, Hash(s_valid with { IdempotencyKey = "k1" }));
        ReserveRequest[] variants =
        [
            s_valid with { AccountId = "acct-2" },
            s_valid with { Reference = "call-2" },
            s_valid with { Provider = "other" },
            s_valid with { Operation = "GET" },
            s_valid with { Amount = 101 },
            s_valid with { AmountType = "fixed" },
            s_valid with { TtlSeconds = 900 },
        ];
        Assert.Equal(variants.Length, variants.Select(Hash).Append(baseline).Distinct().Count() - 1);
    }

    [Theory]
    [InlineData(null, null, "amount")]
    [InlineData(-1L, null, "amount")]
    [InlineData(LedgerLimits.MaxAmount + 1, null, "amount")]
    [InlineData(5L, "", "reason")]
    [InlineData(5L, "line\nbreak", "reason")]
    public void TryFinalize_Invalid_FailsNamingTheField(long? amount, string? reason, string field)
    {
        Assert.False(BillingValidation.TryFinalize(new FinalizeRequest(amount, reason), out _, out var errors));
        Assert.Equal([field], errors.Keys);
    }

    [Theory]
    [InlineData(0L, null)]
    [InlineData(LedgerLimits.MaxAmount, "done")]
    public void TryFinalize_Valid_BuildsTheCommand(long amount, string? reason)
    {
        Assert.True(BillingValidation.TryFinalize(new FinalizeRequest(amount, reason), out var command, out _));
        Assert.Equal(new FinalizeCommand(amount, reason), command);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("\u0001")]
    public void TryRelease_MissingOrBadReason_Fails(string? reason)
    {
        Assert.False(BillingValidation.TryRelease(new ReleaseRequest(reason), out _, out var errors));
        Assert.Equal(["reason"], errors.Keys);
    }

    [Theory]
    [InlineData("acct-1", null, "k", "amount")]
    [InlineData("acct-1", 0L, "k", "amount")]
    [InlineData("acct-1", 10L, null, "idempotencyKey")]
    [InlineData("a|b", 10L, "k", "accountId")]
    public void TryCredit_Invalid_FailsNamingTheField(string accountId, long? amount, string? key, string field)
    {
        Assert.False(BillingValidation.TryCredit(accountId, new CreditRequest(amount, key), out _, out var errors));
        Assert.Equal([field], errors.Keys);
    }

    [Fact]
    public void TryCredit_SameAmountDifferentKeys_SameRequestHashDifferentKeyHashes()
    {
        Assert.True(BillingValidation.TryCredit("acct-1", new CreditRequest(10, "k1"), out var first, out _));
        Assert.True(BillingValidation.TryCredit("acct-1", new CreditRequest(10, "k2"), out var second, out _));
        Assert.True(BillingValidation.TryCredit("acct-1", new CreditRequest(11, "k1"), out var third, out _));
        Assert.Equal(first.RequestHash, second.RequestHash);
        Assert.NotEqual(first.IdempotencyKeyHash, second.IdempotencyKeyHash);
        Assert.NotEqual(first.RequestHash, third.RequestHash);
    }

    [Theory]
    [InlineData("rsv_0123456789abcdef0123456789abcdef", true)]
    [InlineData("A.b:c_d-e", true)]
    [InlineData("..", false)]
    [InlineData(".", false)]
    [InlineData("a||b", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    public void IsId_Values_MatchTheTable(string? value, bool expected) => Assert.Equal(expected, BillingValidation.IsId(value));
}
