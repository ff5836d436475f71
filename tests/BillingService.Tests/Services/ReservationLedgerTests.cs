using Gateway.Testing;
using Gateway.BillingService.Model;
using Gateway.BillingService.Services;
using Gateway.BillingService.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.BillingService.Tests.Services;

public sealed class ReservationLedgerTests
{
    private const long Hold = 1_000;
    private const long OtherHolds = 200;
    private const long Balance = 5_000;
    private static readonly DateTimeOffset s_created = new(2030, 1, 2, 3, 4, 0, TimeSpan.Zero);
    private static readonly TimeSpan s_ttl = TimeSpan.FromSeconds(60);

    private readonly FakeTimeProvider _clock = new(s_created);

    /// <summary>
    /// The state machine: from each status, each request, before or after the expiry. Entries are
    /// the kinds written in order; deltas are the account's balance and held changes.
    /// </summary>
    [Theory]
    //          status       type        command     amount  s-from-expiry outcome           new status   final  overage entries          Δbalance Δheld
    [InlineData("reserved", "estimate", "finalize", 700, -1, "Resolved", "finalized", 700L, 0L, "release,charge", -700, -Hold)]
    [InlineData("reserved", "estimate", "finalize", 1_000, -1, "Resolved", "finalized", 1_000L, 0L, "release,charge", -1_000, -Hold)]
    [InlineData("reserved", "estimate", "finalize", 1_500, -1, "Resolved", "finalized", 1_500L, 500L, "release,charge", -1_500, -Hold)]
    [InlineData("reserved", "estimate", "finalize", 0, -1, "Resolved", "released", 0L, null, "release", 0, -Hold)]
    [InlineData("reserved", "estimate", "release", 0, -59, "Resolved", "released", 0L, null, "release", 0, -Hold)]
    [InlineData("reserved", "fixed", "finalize", 1_000, -1, "Resolved", "finalized", 1_000L, 0L, "release,charge", -1_000, -Hold)]
    [InlineData("reserved", "fixed", "finalize", 999, -1, "AmountMismatch", null, null, null, "", 0, 0)]
    [InlineData("reserved", "fixed", "finalize", 1_001, -1, "AmountMismatch", null, null, null, "", 0, 0)]
    [InlineData("reserved", "fixed", "finalize", 0, -1, "Resolved", "released", 0L, null, "release", 0, -Hold)]
    [InlineData("reserved", "fixed", "release", 0, -1, "Resolved", "released", 0L, null, "release", 0, -Hold)]
    [InlineData("reserved", "estimate", "finalize", 700, 0, "Expired", "expired", 0L, null, "release", 0, -Hold)]
    [InlineData("reserved", "estimate", "release", 0, 5, "Expired", "expired", 0L, null, "release", 0, -Hold)]
    [InlineData("reserved", "fixed", "finalize", 5, 0, "Expired", "expired", 0L, null, "release", 0, -Hold)]
    [InlineData("reserved", "estimate", "expire", 0, -1, "NotDue", null, null, null, "", 0, 0)]
    [InlineData("reserved", "estimate", "expire", 0, 0, "Expired", "expired", 0L, null, "release", 0, -Hold)]
    [InlineData("finalized", "estimate", "finalize", 700, -1, "Repeated", null, null, null, "", 0, 0)]
    [InlineData("finalized", "estimate", "finalize", 700, 100, "Repeated", null, null, null, "", 0, 0)]
    [InlineData("finalized", "estimate", "finalize", 701, -1, "Conflict", null, null, null, "", 0, 0)]
    [InlineData("finalized", "estimate", "finalize", 0, -1, "Conflict", null, null, null, "", 0, 0)]
    [InlineData("finalized", "estimate", "release", 0, -1, "Conflict", null, null, null, "", 0, 0)]
    [InlineData("finalized", "estimate", "expire", 0, 100, "Settled", null, null, null, "", 0, 0)]
    [InlineData("released", "estimate", "release", 0, -1, "Repeated", null, null, null, "", 0, 0)]
    [InlineData("released", "estimate", "finalize", 0, -1, "Repeated", null, null, null, "", 0, 0)]
    [InlineData("released", "estimate", "finalize", 1, -1, "Conflict", null, null, null, "", 0, 0)]
    [InlineData("released", "estimate", "expire", 0, 100, "Settled", null, null, null, "", 0, 0)]
    [InlineData("expired", "estimate", "finalize", 700, 100, "Expired", null, null, null, "", 0, 0)]
    [InlineData("expired", "estimate", "release", 0, 100, "Expired", null, null, null, "", 0, 0)]
    [InlineData("expired", "estimate", "expire", 0, 100, "Settled", null, null, null, "", 0, 0)]
    public void Decide_EveryStatusAndRequest_MatchesTheTable(
        string status,
        string amountType,
        string command,
        long amount,
        int secondsFromExpiry,
        string expectedOutcome,
        string? expectedStatus,
        long? expectedFinal,
        long? expectedOverage,
        string expectedEntries,
        long balanceDelta,
        long heldDelta)
    {
        var (reservation, account) = Given(status, amountType);
        _clock.SetUtcNow(reservation.ExpiresAt + TimeSpan.FromSeconds(secondsFromExpiry));
        ResolveCommand request = command switch
        {
            "finalize" => new FinalizeCommand(amount, "done"),
            "release" => new ReleaseCommand("error_http_500"),
            _ => new ExpireCommand(),
        };

        var decision = ReservationLedger.Decide(reservation, account, request, _clock.GetUtcNow(), "res-1");

        Assert.Equal(Enum.Parse<ResolveOutcome>(expectedOutcome), decision.Outcome);
        if (expectedStatus is null)
        {
            Assert.Null(decision.Write);
            Assert.Same(reservation, decision.Reservation);
            return;
        }

        var write = Assert.IsType<LedgerWrite>(decision.Write);
        var resolved = decision.Reservation;
        Assert.Equal(expectedStatus, resolved.Status.ToString(), ignoreCase: true);
        Assert.Equal(expectedFinal, resolved.FinalAmount);
        Assert.Equal(expectedOverage, resolved.Overage);
        Assert.Equal(_clock.GetUtcNow(), resolved.ResolvedAt);
        Assert.Equal("res-1", resolved.ResolutionId);
        Assert.Equal(expectedStatus == "finalized" ? 0 : null, resolved.Unpaid);
        Assert.Equal(reservation with { Status = resolved.Status, FinalAmount = resolved.FinalAmount, Overage = resolved.Overage, Reason = resolved.Reason, ResolvedAt = resolved.ResolvedAt, ResolutionId = resolved.ResolutionId, Unpaid = resolved.Unpaid }, resolved);
        Assert.Equal(expectedEntries, string.Join(',', write.Entries.Select(e => e.Kind.ToString().ToLowerInvariant())));
        Assert.Equal(account.Balance + balanceDelta, write.Account.Balance);
        Assert.Equal(account.Held + heldDelta, write.Account.Held);
        Assert.Equal(account.Charged - balanceDelta, write.Account.Charged);
        Assert.Equal(account.Credited, write.Account.Credited);
        Assert.Equal(account.NextEntrySeq + write.Entries.Count, write.Account.NextEntrySeq);
        Assert.Equal(_clock.GetUtcNow(), write.Account.UpdatedAt);
        AssertEntriesReplay(account, write);
        Assert.All(write.Entries, e => Assert.Equal(reservation.Id, e.ReservationId));
        var expectedReason = expectedStatus == "expired" ? "expired" : request.Reason;
        Assert.Equal(expectedReason, resolved.Reason);
        Assert.All(write.Entries, e => Assert.Equal(expectedReason, e.Reason));
    }

    /// <summary>
    /// An estimate finalized above what the account can pay (its hold plus what is available:
    /// balance + credit limit − every hold) is charged that much, the rest recorded as unpaid; the
    /// balance never goes below minus the credit limit and the other holds stay covered.
    /// </summary>
    [Theory]
    //          limit  asked       charged  unpaid   entries
    [InlineData(0,     4_799,      4_799,   0,       "release,charge")]
    [InlineData(0,     4_800,      4_800,   0,       "release,charge")]
    [InlineData(0,     4_801,      4_800,   1,       "release,charge,unpaid")]
    [InlineData(0,     500_000,    4_800,   495_200, "release,charge,unpaid")]
    [InlineData(700,   5_500,      5_500,   0,       "release,charge")]
    [InlineData(700,   5_501,      5_500,   1,       "release,charge,unpaid")]
    public void Decide_FinalizeBeyondWhatTheAccountCanPay_ChargesUpToItAndRecordsTheRestUnpaid(long creditLimit, long asked, long charged, long unpaid, string expectedEntries)
    {
        var (reservation, account) = Given("reserved", "estimate");
        account = account with { CreditLimit = creditLimit, Unpaid = 30 };

        var decision = ReservationLedger.Decide(reservation, account, new FinalizeCommand(asked, "done"), _clock.GetUtcNow(), "r");

        var write = Assert.IsType<LedgerWrite>(decision.Write);
        Assert.Equal((ReservationStatus.Finalized, charged, charged - Hold, unpaid, asked), (decision.Reservation.Status, decision.Reservation.FinalAmount, decision.Reservation.Overage, decision.Reservation.Unpaid, decision.Reservation.RequestedAmount));
        Assert.Equal(expectedEntries, string.Join(',', write.Entries.Select(e => e.Kind.ToString().ToLowerInvariant())));
        Assert.Equal((Balance - charged, account.Charged + charged, 30 + unpaid, OtherHolds), (write.Account.Balance, write.Account.Charged, write.Account.Unpaid, write.Account.Held));
        Assert.True(write.Account.Balance >= -creditLimit);
        Assert.True(write.Account.Available >= 0);
        Assert.Equal(unpaid, write.Entries.Where(e => e.Kind == EntryKind.Unpaid).Sum(e => e.Amount));
        Assert.All(write.Entries.Where(e => e.Kind == EntryKind.Unpaid), e => Assert.Equal((write.Account.Balance, OtherHolds, reservation.Id, "done"), (e.BalanceAfter, e.HeldAfter, e.ReservationId, e.Reason)));
        AssertEntriesReplay(account, write);
        Assert.Equal(ResolveOutcome.Repeated, ReservationLedger.Decide(decision.Reservation, write.Account, new FinalizeCommand(asked, "again"), _clock.GetUtcNow(), "r2").Outcome);
        var chargedOnly = ReservationLedger.Decide(decision.Reservation, write.Account, new FinalizeCommand(charged, "again"), _clock.GetUtcNow(), "r2").Outcome;
        Assert.Equal(unpaid > 0 ? ResolveOutcome.Conflict : ResolveOutcome.Repeated, chargedOnly);
    }

    [Theory]
    //          balance  held   limit  asked  minimum  outcome
    [InlineData(1_000,   0,     0,     500,   0,       "changed")]
    [InlineData(1_000,   0,     500,   500,   0,       "unchanged")]
    [InlineData(100,     600,   500,   499,   500,     "in_use")]
    [InlineData(100,     600,   500,   500,   0,       "unchanged")]
    [InlineData(100,     600,   500,   800,   0,       "changed")]
    [InlineData(-300,    0,     300,   299,   300,     "in_use")]
    [InlineData(-300,    0,     300,   0,     300,     "in_use")]
    [InlineData(0,       0,     100,   0,     0,       "changed")]
    public void SetCreditLimit_EveryCase_MatchesTheTable(long balance, long held, long limit, long asked, long minimum, string outcome)
    {
        var account = Account.Open("a1", s_created) with { Balance = balance, Held = held, CreditLimit = limit, Credited = Math.Max(0, balance), Charged = Math.Max(0, -balance) };

        var decision = ReservationLedger.SetCreditLimit(account, new CreditLimitCommand("a1", asked), _clock.GetUtcNow());

        switch (outcome)
        {
            case "changed":
                var changed = Assert.IsType<CreditLimitDecision.Changed>(decision);
                Assert.Equal((account with { CreditLimit = asked, UpdatedAt = _clock.GetUtcNow() }, limit), (changed.Account, changed.Previous));
                break;
            case "unchanged":
                Assert.Same(account, Assert.IsType<CreditLimitDecision.Unchanged>(decision).Account);
                break;
            default:
                Assert.Equal(minimum, Assert.IsType<CreditLimitDecision.InUse>(decision).Minimum);
                break;
        }
    }

    [Fact]
    public void SetCreditLimit_UnknownAccount_OpensItWithTheLimit()
    {
        var decision = ReservationLedger.SetCreditLimit(null, new CreditLimitCommand("a1", 250), _clock.GetUtcNow());

        var changed = Assert.IsType<CreditLimitDecision.Changed>(decision);
        Assert.Equal((Account.Open("a1", _clock.GetUtcNow()) with { CreditLimit = 250 }, 0L), (changed.Account, changed.Previous));
        Assert.Equal(250, changed.Account.Available);
    }

    [Fact]
    public void Decide_ChargeWouldPassTheAccountLimit_LimitExceededAndNothingWritten()
    {
        var (reservation, account) = Given("reserved", "estimate");
        account = account with { Charged = LedgerLimits.MaxTotal - 10 };

        var decision = ReservationLedger.Decide(reservation, account, new FinalizeCommand(11, null), _clock.GetUtcNow(), "r");

        Assert.Equal(ResolveOutcome.LimitExceeded, decision.Outcome);
        Assert.Null(decision.Write);
    }

    [Fact]
    public void Decide_BalanceWouldFallPastTheNegativeLimit_LimitExceeded()
    {
        var (reservation, account) = Given("reserved", "estimate");
        account = account with { Balance = -LedgerLimits.MaxTotal + 5 };

        var decision = ReservationLedger.Decide(reservation, account, new FinalizeCommand(6, null), _clock.GetUtcNow(), "r");

        Assert.Equal(ResolveOutcome.LimitExceeded, decision.Outcome);
    }

    [Fact]
    public void Decide_AnotherAccountsDocument_Throws()
    {
        var (reservation, account) = Given("reserved", "estimate");

        Assert.Throws<InvalidOperationException>(() => ReservationLedger.Decide(reservation, account with { Id = "other" }, new ReleaseCommand("x"), _clock.GetUtcNow(), "r"));
    }

    [Fact]
    public void Decide_AccountHoldsLessThanTheReservation_ThrowsRatherThanGoNegative()
    {
        var (reservation, account) = Given("reserved", "estimate");

        Assert.Throws<InvalidOperationException>(() => ReservationLedger.Decide(reservation, account with { Held = Hold - 1 }, new ReleaseCommand("x"), _clock.GetUtcNow(), "r"));
    }

    [Fact]
    public void Reserve_WithFunds_HoldsTheAmountAndWritesAHoldEntry()
    {
        var account = Account.Open("a1", s_created) with { Balance = 500, Credited = 500, NextEntrySeq = 2 };
        _clock.Advance(TimeSpan.FromSeconds(3));
        var command = Command(amount: 500, idempotencyKeyHash: "k");

        var decision = ReservationLedger.Reserve(account, null, command, "rsv_1", _clock.GetUtcNow());

        var created = Assert.IsType<ReserveDecision.Created>(decision);
        Assert.Equal(new Reservation("rsv_1", "a1", "call-1", "acme", "POST /v1/tasks", 500, AmountType.Estimate, ReservationStatus.Reserved, _clock.GetUtcNow(), _clock.GetUtcNow() + s_ttl), created.Reservation);
        Assert.Equal(account with { Held = 500, NextEntrySeq = 3, UpdatedAt = _clock.GetUtcNow() }, created.Write.Account);
        Assert.Equal([new LedgerEntry("a1", 2, EntryKind.Hold, 500, 500, 500, _clock.GetUtcNow(), "rsv_1")], created.Write.Entries);
        Assert.Equal(new ReserveIdempotency("rsv_1", command.RequestHash, _clock.GetUtcNow()), created.Idempotency);
    }

    [Fact]
    public void Reserve_WithoutIdempotencyKey_WritesNoIdempotencyRecord()
    {
        var account = Account.Open("a1", s_created) with { Balance = 500, Credited = 500, NextEntrySeq = 2 };

        var decision = ReservationLedger.Reserve(account, null, Command(amount: 1), "rsv_1", _clock.GetUtcNow());

        Assert.Null(Assert.IsType<ReserveDecision.Created>(decision).Idempotency);
    }

    [Theory]
    [InlineData(1_000, 0, 1_001, 1_000)]
    [InlineData(1_000, 600, 401, 400)]
    [InlineData(-50, 0, 1, -50)]
    public void Reserve_AboveAvailable_InsufficientFundsWithTheAvailableAmount(long balance, long held, long amount, long available)
    {
        var account = Account.Open("a1", s_created) with { Balance = balance, Held = held };

        var decision = ReservationLedger.Reserve(account, null, Command(amount), "rsv_1", _clock.GetUtcNow());

        Assert.Equal(new ReserveDecision.InsufficientFunds(available), decision);
    }

    [Fact]
    public void Reserve_ExactlyTheAvailableAmount_Created()
    {
        var account = Account.Open("a1", s_created) with { Balance = 1_000, Held = 600 };

        Assert.IsType<ReserveDecision.Created>(ReservationLedger.Reserve(account, null, Command(400), "rsv_1", _clock.GetUtcNow()));
    }

    [Fact]
    public void Reserve_UnknownAccount_UnknownAccount()
    {
        Assert.IsType<ReserveDecision.UnknownAccount>(ReservationLedger.Reserve(null, null, Command(1), "rsv_1", _clock.GetUtcNow()));
    }

    [Fact]
    public void Reserve_KeyUsedWithTheSameRequest_ReplaysEvenWithoutFunds()
    {
        var command = Command(10_000, idempotencyKeyHash: "k");
        var existing = new ReserveIdempotency("rsv_first", command.RequestHash, s_created);

        var decision = ReservationLedger.Reserve(Account.Open("a1", s_created), existing, command, "rsv_2", _clock.GetUtcNow());

        Assert.Equal(new ReserveDecision.Replayed("rsv_first"), decision);
    }

    [Fact]
    public void Reserve_KeyUsedWithAnotherRequest_IdempotencyConflict()
    {
        var existing = new ReserveIdempotency("rsv_first", "another-hash", s_created);

        var decision = ReservationLedger.Reserve(Account.Open("a1", s_created) with { Balance = 100 }, existing, Command(10, idempotencyKeyHash: "k"), "rsv_2", _clock.GetUtcNow());

        Assert.IsType<ReserveDecision.IdempotencyConflict>(decision);
    }

    [Fact]
    public void Credit_NewAccount_OpensItWithTheCredit()
    {
        var command = new CreditCommand("a1", 250, "h", "k");

        var decision = ReservationLedger.Credit(null, null, command, _clock.GetUtcNow());

        var credited = Assert.IsType<CreditDecision.Credited>(decision);
        var now = _clock.GetUtcNow();
        Assert.Equal(new Account("a1", 250, 0, 250, 0, 2, now, now), credited.Write.Account);
        Assert.Equal([new LedgerEntry("a1", 1, EntryKind.Credit, 250, 250, 0, now)], credited.Write.Entries);
        Assert.Equal(new CreditIdempotency("h", 250, 1, 250, now), credited.Result);
    }

    [Fact]
    public void Credit_ExistingAccount_AddsToBalanceAndKeepsHeld()
    {
        var account = new Account("a1", 100, 40, 300, 200, 7, s_created, s_created);
        _clock.Advance(TimeSpan.FromMinutes(1));

        var decision = ReservationLedger.Credit(account, null, new CreditCommand("a1", 50, "h", "k"), _clock.GetUtcNow());

        var write = Assert.IsType<CreditDecision.Credited>(decision).Write;
        Assert.Equal(account with { Balance = 150, Credited = 350, NextEntrySeq = 8, UpdatedAt = _clock.GetUtcNow() }, write.Account);
        Assert.Equal(new LedgerEntry("a1", 7, EntryKind.Credit, 50, 150, 40, _clock.GetUtcNow()), Assert.Single(write.Entries));
    }

    [Fact]
    public void Credit_KeyReplayed_AnswersTheFirstResult()
    {
        var first = new CreditIdempotency("h", 250, 1, 250, s_created);

        var decision = ReservationLedger.Credit(Account.Open("a1", s_created), first, new CreditCommand("a1", 250, "h", "k"), _clock.GetUtcNow());

        Assert.Same(first, Assert.IsType<CreditDecision.Replayed>(decision).Result);
    }

    [Fact]
    public void Credit_KeyUsedWithAnotherAmount_IdempotencyConflict()
    {
        var first = new CreditIdempotency("h", 250, 1, 250, s_created);

        Assert.IsType<CreditDecision.IdempotencyConflict>(ReservationLedger.Credit(Account.Open("a1", s_created), first, new CreditCommand("a1", 251, "other", "k"), _clock.GetUtcNow()));
    }

    [Theory]
    [InlineData(LedgerLimits.MaxTotal - 10, 0, 11)]
    [InlineData(0, LedgerLimits.MaxTotal - 10, 11)]
    public void Credit_PastTheLimit_LimitExceeded(long credited, long balance, long amount)
    {
        var account = Account.Open("a1", s_created) with { Credited = credited, Balance = balance };

        Assert.IsType<CreditDecision.LimitExceeded>(ReservationLedger.Credit(account, null, new CreditCommand("a1", amount, "h", "k"), _clock.GetUtcNow()));
    }

    /// <summary>
    /// Thousands of random operations applied as the service applies them (only what a decision
    /// writes changes anything): the account's figures always equal what its entries replay to and
    /// what its reservations say.
    /// </summary>
    [Fact]
    public void Ledger_RandomOperations_KeepAccountEntriesAndReservationsConsistent()
    {
        var random = new Random(20301);
        var account = Account.Open("a1", s_created);
        List<LedgerEntry> entries = [];
        Dictionary<string, Reservation> reservations = [];
        var resolutions = 0;
        for (var step = 0; step < 5_000; step++)
        {
            _clock.Advance(TimeSpan.FromSeconds(random.Next(0, 4)));
            var now = _clock.GetUtcNow();
            switch (random.Next(6))
            {
                case 0:
                    if (ReservationLedger.Credit(account, null, new CreditCommand("a1", random.Next(1, 500), "h" + step, "k" + step), now) is CreditDecision.Credited credit)
                    {
                        Apply(credit.Write);
                    }

                    break;
                case 1:
                case 2:
                    var type = random.Next(2) == 0 ? AmountType.Estimate : AmountType.Fixed;
                    var command = Command(random.Next(1, 300), type: type, ttl: TimeSpan.FromSeconds(random.Next(1, 30)));
                    if (ReservationLedger.Reserve(account, null, command, "rsv_" + step, now) is ReserveDecision.Created reserve)
                    {
                        reservations[reserve.Reservation.Id] = reserve.Reservation;
                        Apply(reserve.Write);
                    }

                    break;
                default:
                    if (reservations.Count == 0)
                    {
                        break;
                    }

                    var target = reservations.Values.ElementAt(random.Next(reservations.Count));
                    ResolveCommand resolve = random.Next(4) switch
                    {
                        0 => new ReleaseCommand("r"),
                        1 => new ExpireCommand(),
                        2 => new FinalizeCommand(target.Amount, null),
                        _ => new FinalizeCommand(random.Next(0, 600), null),
                    };
                    var decision = ReservationLedger.Decide(target, account, resolve, now, "x" + step);
                    if (decision.Write is not null)
                    {
                        Assert.Equal(ReservationStatus.Reserved, target.Status);
                        reservations[target.Id] = decision.Reservation;
                        Apply(decision.Write);
                        resolutions++;
                    }
                    else
                    {
                        Assert.Same(target, decision.Reservation);
                    }

                    break;
            }

            Assert.Equal(account.Credited - account.Charged, account.Balance);
            Assert.Equal(reservations.Values.Where(r => r.Status == ReservationStatus.Reserved).Sum(r => r.Amount), account.Held);
            Assert.Equal(reservations.Values.Sum(r => r.FinalAmount ?? 0), account.Charged);
        }

        Assert.True(resolutions > 500, $"only {resolutions} resolutions");
        Assert.Equal(Enumerable.Range(1, entries.Count).Select(i => (long)i), entries.Select(e => e.Seq));
        Assert.Equal(account.Balance, entries.Where(e => e.Kind == EntryKind.Credit).Sum(e => e.Amount) - entries.Where(e => e.Kind == EntryKind.Charge).Sum(e => e.Amount));
        Assert.Equal(account.Held, entries.Where(e => e.Kind == EntryKind.Hold).Sum(e => e.Amount) - entries.Where(e => e.Kind == EntryKind.Release).Sum(e => e.Amount));
        Assert.Equal(reservations.Count, entries.Count(e => e.Kind == EntryKind.Hold));
        Assert.Equal(reservations.Values.Count(r => r.Status != ReservationStatus.Reserved), entries.Count(e => e.Kind == EntryKind.Release));

        void Apply(LedgerWrite? write)
        {
            Assert.NotNull(write);
            AssertEntriesReplay(account, write);
            entries.AddRange(write.Entries);
            account = write.Account;
        }
    }

    private static void AssertEntriesReplay(Account before, LedgerWrite write)
    {
        var balance = before.Balance;
        var held = before.Held;
        var seq = before.NextEntrySeq;
        foreach (var entry in write.Entries)
        {
            Assert.Equal(seq++, entry.Seq);
            Assert.Equal(before.Id, entry.AccountId);
            Assert.True(entry.Amount > 0);
            switch (entry.Kind)
            {
                case EntryKind.Credit: balance += entry.Amount; break;
                case EntryKind.Charge: balance -= entry.Amount; break;
                case EntryKind.Hold: held += entry.Amount; break;
                case EntryKind.Release: held -= entry.Amount; break;
            }

            Assert.Equal(balance, entry.BalanceAfter);
            Assert.Equal(held, entry.HeldAfter);
        }

        Assert.Equal(balance, write.Account.Balance);
        Assert.Equal(held, write.Account.Held);
    }

    private static (Reservation Reservation, Account Account) Given(string status, string amountType)
    {
        var type = Enum.Parse<AmountType>(amountType, ignoreCase: true);
        var reservation = new Reservation("rsv_1", "a1", "call-1", "acme", "op", Hold, type, ReservationStatus.Reserved, s_created, s_created + s_ttl);
        var account = new Account("a1", Balance, Hold + OtherHolds, Balance + 800, 800, 10, s_created, s_created);
        if (status == "reserved")
        {
            return (reservation, account);
        }

        // A terminal reservation's hold is no longer in the account's held amount.
        var resolved = status switch
        {
            "finalized" => reservation with { Status = ReservationStatus.Finalized, FinalAmount = 700, Overage = 0 },
            "released" => reservation with { Status = ReservationStatus.Released, FinalAmount = 0 },
            _ => reservation with { Status = ReservationStatus.Expired, FinalAmount = 0, Reason = "expired" },
        };
        return (resolved with { ResolvedAt = s_created + TimeSpan.FromSeconds(1), ResolutionId = "earlier" }, account with { Held = OtherHolds });
    }

    private static ReserveCommand Command(long amount, AmountType type = AmountType.Estimate, TimeSpan? ttl = null, string? idempotencyKeyHash = null) =>
        new("a1", "call-1", "acme", "POST /v1/tasks", amount, type, ttl ?? s_ttl, "hash-" + amount.ToString(System.Globalization.CultureInfo.InvariantCulture), idempotencyKeyHash);
}
