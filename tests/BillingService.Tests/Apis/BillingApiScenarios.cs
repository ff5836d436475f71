using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using System.Text.Json;
using Gateway.BillingService.Apis;
using Gateway.BillingService.Infrastructure;
using Gateway.BillingService.Tests.Support;
using Gateway.ServiceDefaults;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.BillingService.Tests.Apis;

/// <summary>
/// The HTTP API on a real LocalSidecar and store, run once per store (see the derived classes).
/// Every test works on accounts of its own.
/// </summary>
public abstract class BillingApiScenarios(StackFixture fixture)
{
    private BillingStack Stack => fixture.Shared;

    private BillingApi Api => Stack.Api;

    [Fact]
    public async Task Credit_NewAccount_CreatesTheAccountWithOneEntry()
    {
        var account = NewAccount();

        var credit = await Api.CreditAsync(account, 2_500, "k1");
        var read = await Api.AccountAsync(account);
        var entries = await Api.EntriesAsync(account);

        Assert.Equal(HttpStatusCode.OK, credit.Status);
        Assert.Equal((account, 2_500L, 1L, 2_500L), (credit.String("accountId"), credit.Long("amount"), credit.Long("entrySeq"), credit.Long("balanceAfter")));
        Assert.False(credit.Headers.Contains(ReservationsApi.ReplayedHeader));
        Assert.Equal((2_500L, 0L, 2_500L, 2_500L, 0L, 1L), (read.Long("balance"), read.Long("held"), read.Long("available"), read.Long("credited"), read.Long("charged"), read.Long("entryCount")));
        var entry = Assert.Single(entries);
        Assert.Equal(("credit", 2_500L, 2_500L, 0L), (entry.GetProperty("kind").GetString(), entry.GetProperty("amount").GetInt64(), entry.GetProperty("balanceAfter").GetInt64(), entry.GetProperty("heldAfter").GetInt64()));
    }

    [Fact]
    public async Task Credit_ReplayedKey_AnswersTheSameAndCreditsOnce()
    {
        var account = NewAccount();

        var first = await Api.CreditAsync(account, 300, "pay-1");
        var replay = await Stack.ApiOf(1).CreditAsync(account, 300, "pay-1");
        var other = await Api.CreditAsync(account, 300, "pay-2");

        Assert.Equal(HttpStatusCode.OK, replay.Status);
        Assert.True(Json.Same(first.Body, replay.Body), $"{first} vs {replay}");
        Assert.Equal("true", Assert.Single(replay.Headers.GetValues(ReservationsApi.ReplayedHeader)));
        Assert.Equal(2L, other.Long("entrySeq"));
        Assert.Equal(600L, (await Api.AccountAsync(account)).Long("balance"));
    }

    [Fact]
    public async Task Credit_ConcurrentReplaysAcrossReplicas_CreditOnce()
    {
        var account = NewAccount();

        var answers = await Concurrently(20, i => Stack.ApiOf(i).CreditAsync(account, 700, "same-key"));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Status));
        Assert.All(answers, a => Assert.True(Json.Same(answers[0].Body, a.Body), a.ToString()));
        Assert.Equal(700L, (await Api.AccountAsync(account)).Long("balance"));
        Assert.Single(await Api.EntriesAsync(account));
        Assert.Equal(19, answers.Count(a => a.Headers.Contains(ReservationsApi.ReplayedHeader)));
    }

    [Fact]
    public async Task Credit_KeyReusedWithAnotherAmount_Returns409AndWritesNothing()
    {
        var account = NewAccount();
        await Api.CreditOkAsync(account, 100, "pay-1");

        var reused = await Api.CreditAsync(account, 101, "pay-1");

        Assert.Equal(HttpStatusCode.Conflict, reused.Status);
        Assert.Equal(BillingProblems.IdempotencyConflictType, reused.ProblemType);
        Assert.Equal("idempotency_conflict", reused.String("code"));
        Assert.Equal(100L, (await Api.AccountAsync(account)).Long("balance"));
    }

    [Fact]
    public async Task ReadAccount_Unknown_Returns404Problem()
    {
        var account = await Api.GetAccountAsync(NewAccount());
        var entries = await Api.GetAsync($"/accounts/{NewAccount()}/entries");

        Assert.Equal(HttpStatusCode.NotFound, account.Status);
        Assert.Equal("application/problem+json", account.ContentType);
        Assert.Equal(ProblemTypes.NotFound, account.ProblemType);
        Assert.Equal(HttpStatusCode.NotFound, entries.Status);
    }

    [Fact]
    public async Task Reserve_WithFunds_Returns201AndHoldsTheAmount()
    {
        var account = NewAccount();
        await Api.CreditOkAsync(account, 1_000);

        var reserved = await Api.ReserveAsync(account, 400, ttlSeconds: 120);
        var read = await Api.AccountAsync(account);

        Assert.Equal(HttpStatusCode.Created, reserved.Status);
        var id = reserved.String("reservationId");
        Assert.Matches("^rsv_[0-9a-f]{32}$", id);
        Assert.Equal($"/reservations/{id}", reserved.Headers.Location?.OriginalString);
        Assert.Equal(("reserved", "estimate", 400L, account), (reserved.String("status"), reserved.String("amountType"), reserved.Long("amount"), reserved.String("accountId")));
        Assert.Equal(TimeSpan.FromSeconds(120), reserved.Body.GetProperty("expiresAt").GetDateTimeOffset() - reserved.Body.GetProperty("createdAt").GetDateTimeOffset());
        Assert.Equal((1_000L, 400L, 600L), (read.Long("balance"), read.Long("held"), read.Long("available")));
        var hold = (await Api.EntriesAsync(account))[1];
        Assert.Equal(("hold", 400L, id), (hold.GetProperty("kind").GetString(), hold.GetProperty("amount").GetInt64(), hold.GetProperty("reservationId").GetString()));
        Assert.True(Json.Same(reserved.Body, (await Stack.ApiOf(1).GetReservationAsync(id)).Body));
    }

    [Fact]
    public async Task Reserve_AboveAvailable_Returns402AndWritesNothing()
    {
        var account = NewAccount();
        await Api.CreditOkAsync(account, 1_000);
        await Api.ReserveOkAsync(account, 700);
        var before = await Api.AccountAsync(account);

        var refused = await Api.ReserveAsync(account, 301);

        Assert.Equal(HttpStatusCode.PaymentRequired, refused.Status);
        Assert.Equal(BillingProblems.InsufficientFundsType, refused.ProblemType);
        Assert.Equal((300L, 301L, "insufficient_funds"), (refused.Long("available"), refused.Long("requested"), refused.String("code")));
        Assert.True(Json.Same(before.Body, (await Api.AccountAsync(account)).Body));
        Assert.Equal(HttpStatusCode.Created, (await Api.ReserveAsync(account, 300)).Status);
    }

    [Fact]
    public async Task Reserve_UnknownAccount_Returns400UnknownAccount()
    {
        var account = NewAccount();

        var refused = await Api.ReserveAsync(account, 1);

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Equal(BillingProblems.UnknownAccountType, refused.ProblemType);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.GetAccountAsync(account)).Status);
    }

    [Fact]
    public async Task Reserve_ReplayedKey_ReturnsTheSameReservationAsItIsNow()
    {
        var account = NewAccount();
        await Api.CreditOkAsync(account, 1_000);

        var first = await Api.ReserveAsync(account, 600, idempotencyKey: "call-42");
        var replay = await Stack.ApiOf(1).ReserveAsync(account, 600, idempotencyKey: "call-42");
        await Api.FinalizeAsync(first.String("reservationId"), 550);
        var afterFinalize = await Api.ReserveAsync(account, 600, idempotencyKey: "call-42");

        Assert.Equal(HttpStatusCode.Created, replay.Status);
        Assert.True(Json.Same(first.Body, replay.Body));
        Assert.Equal("true", Assert.Single(replay.Headers.GetValues(ReservationsApi.ReplayedHeader)));
        Assert.Equal(HttpStatusCode.Created, afterFinalize.Status);
        Assert.Equal((first.String("reservationId"), "finalized"), (afterFinalize.String("reservationId"), afterFinalize.String("status")));
        var read = await Api.AccountAsync(account);
        Assert.Equal((450L, 0L), (read.Long("balance"), read.Long("held")));
        Assert.Single(await Api.EntriesAsync(account), e => e.GetProperty("kind").GetString() == "hold");
    }

    [Fact]
    public async Task Reserve_ConcurrentReplaysAcrossReplicas_CreateOneReservation()
    {
        var account = NewAccount();
        await Api.CreditOkAsync(account, 1_000);

        var answers = await Concurrently(20, i => Stack.ApiOf(i).ReserveAsync(account, 250, idempotencyKey: "same"));

        Assert.All(answers, a => Assert.Equal(HttpStatusCode.Created, a.Status));
        Assert.Single(answers.Select(a => a.String("reservationId")).Distinct());
        Assert.Equal(19, answers.Count(a => a.Headers.Contains(ReservationsApi.ReplayedHeader)));
        Assert.Equal(250L, (await Api.AccountAsync(account)).Long("held"));
        Assert.Equal(2, (await Api.EntriesAsync(account)).Count);
    }

    [Fact]
    public async Task Reserve_KeyReusedWithAnotherRequest_Returns409AndWritesNothing()
    {
        var account = NewAccount();
        await Api.CreditOkAsync(account, 1_000);
        await Api.ReserveAsync(account, 100, idempotencyKey: "call-1");

        var otherAmount = await Api.ReserveAsync(account, 101, idempotencyKey: "call-1");
        var otherReference = await Api.ReserveAsync(account, 100, idempotencyKey: "call-1", reference: "call-2");

        Assert.Equal(HttpStatusCode.Conflict, otherAmount.Status);
        Assert.Equal(BillingProblems.IdempotencyConflictType, otherAmount.ProblemType);
        Assert.Equal(HttpStatusCode.Conflict, otherReference.Status);
        Assert.Equal(100L, (await Api.AccountAsync(account)).Long("held"));
    }

    [Fact]
    public async Task Reserve_SameKeyOnAnotherAccount_IsAnotherReservation()
    {
        var (a, b) = (NewAccount(), NewAccount());
        await Api.CreditOkAsync(a, 100);
        await Api.CreditOkAsync(b, 100);

        var first = await Api.ReserveAsync(a, 10, idempotencyKey: "k");
        var second = await Api.ReserveAsync(b, 10, idempotencyKey: "k");

        Assert.Equal(HttpStatusCode.Created, second.Status);
        Assert.NotEqual(first.String("reservationId"), second.String("reservationId"));
    }

    [Fact]
    public async Task Finalize_BelowTheHold_ChargesTheAmountAndReturnsTheRest()
    {
        var account = NewAccount();
        await Api.CreditOkAsync(account, 1_000);
        var id = await Api.ReserveOkAsync(account, 400);

        var finalized = await Api.FinalizeAsync(id, 150, "ok");

        Assert.Equal(HttpStatusCode.OK, finalized.Status);
        Assert.Equal(("finalized", 150L, 0L, "ok"), (finalized.String("status"), finalized.Long("finalAmount"), finalized.Long("overage"), finalized.String("reason")));
        var read = await Api.AccountAsync(account);
        Assert.Equal((850L, 0L, 850L, 150L), (read.Long("balance"), read.Long("held"), read.Long("available"), read.Long("charged")));
        Assert.Equal(["credit", "hold", "release", "charge"], (await Api.EntriesAsync(account)).Select(e => e.GetProperty("kind").GetString()));
    }

    [Fact]
    public async Task Finalize_AboveTheHoldWithinTheBalance_ChargesEverythingAndRecordsTheOverage()
    {
        var account = NewAccount();
        await Api.CreditOkAsync(account, 1_500);
        var id = await Api.ReserveOkAsync(account, 1_000);

        var finalized = await Api.FinalizeAsync(id, 1_300);
        var next = await Api.ReserveAsync(account, 201);

        Assert.Equal((1_300L, 300L, 0L), (finalized.Long("finalAmount"), finalized.Long("overage"), finalized.Long("unpaid")));
        var read = await Api.AccountAsync(account);
        Assert.Equal((200L, 0L, 200L, 0L), (read.Long("balance"), read.Long("held"), read.Long("available"), read.Long("unpaid")));
        var charge = (await Api.EntriesAsync(account))[^1];
        Assert.Equal(("charge", 1_300L, 300L, 200L), (charge.GetProperty("kind").GetString(), charge.GetProperty("amount").GetInt64(), charge.GetProperty("overage").GetInt64(), charge.GetProperty("balanceAfter").GetInt64()));
        Assert.Equal(HttpStatusCode.PaymentRequired, next.Status);
    }

    [Fact]
    public async Task Finalize_Repeated_Returns200WithTheSameOutcome_ConflictingReturns409WithTheWinner()
    {
        var account = NewAccount();
        await Api.CreditOkAsync(account, 1_000);
        var id = await Api.ReserveOkAsync(account, 400);
        var first = await Api.FinalizeAsync(id, 200, "first");

        var repeat = await Stack.ApiOf(1).FinalizeAsync(id, 200, "another reason");
        var otherAmount = await Api.FinalizeAsync(id, 201);
        var release = await Api.ReleaseAsync(id);

        Assert.Equal(HttpStatusCode.OK, repeat.Status);
        Assert.True(Json.Same(first.Body, repeat.Body));
        foreach (var conflict in new[] { otherAmount, release })
        {
            Assert.Equal(HttpStatusCode.Conflict, conflict.Status);
            Assert.Equal(BillingProblems.ReservationConflictType, conflict.ProblemType);
            Assert.True(Json.Same(first.Body, conflict.Body.GetProperty("reservation")), conflict.ToString());
        }

        Assert.Equal(800L, (await Api.AccountAsync(account)).Long("balance"));
    }

    [Fact]
    public async Task Release_ThenFinalizeWithZero_IsTheSameOutcome()
    {
        var account = NewAccount();
        await Api.CreditOkAsync(account, 1_000);
        var id = await Api.ReserveOkAsync(account, 400);

        var released = await Api.ReleaseAsync(id, "no_task_id");
        var finalizeZero = await Api.FinalizeAsync(id, 0);
        var finalizeMore = await Api.FinalizeAsync(id, 1);

        Assert.Equal(HttpStatusCode.OK, released.Status);
        Assert.Equal(("released", 0L, "no_task_id"), (released.String("status"), released.Long("finalAmount"), released.String("reason")));
        Assert.Equal(HttpStatusCode.OK, finalizeZero.Status);
        Assert.True(Json.Same(released.Body, finalizeZero.Body));
        Assert.Equal(HttpStatusCode.Conflict, finalizeMore.Status);
        var read = await Api.AccountAsync(account);
        Assert.Equal((1_000L, 0L), (read.Long("balance"), read.Long("held")));
        Assert.Equal(["credit", "hold", "release"], (await Api.EntriesAsync(account)).Select(e => e.GetProperty("kind").GetString()));
    }

    [Fact]
    public async Task Finalize_Fixed_ChargesExactlyTheHold_RefusesAnotherAmountWith422()
    {
        var account = NewAccount();
        await Api.CreditOkAsync(account, 1_000);
        var id = await Api.ReserveOkAsync(account, 300, "fixed");
        var before = await Api.AccountAsync(account);

        var mismatch = await Api.FinalizeAsync(id, 299);
        var unchanged = await Api.AccountAsync(account);
        var finalized = await Api.FinalizeAsync(id, 300);

        Assert.Equal(HttpStatusCode.UnprocessableEntity, mismatch.Status);
        Assert.Equal(BillingProblems.FixedAmountMismatchType, mismatch.ProblemType);
        Assert.Equal("reserved", mismatch.Body.GetProperty("reservation").GetProperty("status").GetString());
        Assert.True(Json.Same(before.Body, unchanged.Body));
        Assert.Equal(("finalized", 300L, "fixed"), (finalized.String("status"), finalized.Long("finalAmount"), finalized.String("amountType")));
        Assert.Equal(700L, (await Api.AccountAsync(account)).Long("balance"));
    }

    [Fact]
    public async Task Finalize_FixedWithZero_Releases()
    {
        var account = NewAccount();
        await Api.CreditOkAsync(account, 1_000);
        var id = await Api.ReserveOkAsync(account, 300, "fixed");

        var released = await Api.FinalizeAsync(id, 0);

        Assert.Equal("released", released.String("status"));
        Assert.Equal(1_000L, (await Api.AccountAsync(account)).Long("available"));
    }

    [Fact]
    public async Task ResolveOrRead_UnknownReservation_Returns404()
    {
        var id = "rsv_" + Guid.NewGuid().ToString("N");

        Assert.Equal(HttpStatusCode.NotFound, (await Api.FinalizeAsync(id, 1)).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await Api.ReleaseAsync(id)).Status);
        var read = await Api.GetReservationAsync(id);
        Assert.Equal(HttpStatusCode.NotFound, read.Status);
        Assert.Equal(ProblemTypes.NotFound, read.ProblemType);
    }

    /// <summary>Every kind of bad input answers 400 problem+json with a stable type, and nothing changes.</summary>
    [Fact]
    public async Task BadInput_Everywhere_Returns400AndWritesNothing()
    {
        var account = NewAccount();
        await Api.CreditOkAsync(account, 1_000, "seed");
        var id = await Api.ReserveOkAsync(account, 100);
        var accountBefore = await Api.AccountAsync(account);
        var reservationBefore = await Api.GetReservationAsync(id);
        var valid = $$"""{"accountId":"{{account}}","reference":"r","provider":"acme","operation":"op","amount":5,"amountType":"estimate"}""";
        string Reserve(string replace, string with) => valid.Replace(replace, with, StringComparison.Ordinal);
        (string Path, string Body, string? ContentType)[] cases =
        [
            ("/reservations", Reserve("\"amount\":5", "\"amount\":-5"), "application/json"),
            ("/reservations", Reserve("\"amount\":5", "\"amount\":0"), "application/json"),
            ("/reservations", Reserve("\"amount\":5", "\"amount\":1000000000000001"), "application/json"),
            ("/reservations", Reserve("\"amount\":5", "\"amount\":99999999999999999999999"), "application/json"),
            ("/reservations", Reserve("\"amount\":5", "\"amount\":5.5"), "application/json"),
            ("/reservations", Reserve("\"amount\":5", "\"amount\":\"five\""), "application/json"),
            ("/reservations", Reserve("\"amount\":5,", ""), "application/json"),
            ("/reservations", Reserve("estimate", "cheap"), "application/json"),
            ("/reservations", Reserve("\"r\"", "\"" + new string('x', 257) + "\""), "application/json"),
            ("/reservations", Reserve("\"r\"", "\"a\\u0000b\""), "application/json"),
            ("/reservations", Reserve(account, account + "|x"), "application/json"),
            ("/reservations", Reserve(account, account + "/x"), "application/json"),
            ("/reservations", Reserve("}", ",\"ttlSeconds\":0}"), "application/json"),
            ("/reservations", Reserve("}", ",\"ttlSeconds\":\"600\"}"), "application/json"),
            ("/reservations", Reserve("}", ",\"ttlSeconds\":600,\"ttlSeconds\":60}"), "application/json"),
            ("/reservations", Reserve("\"estimate\"", "\"estimate\",\"AmountType\":\"fixed\""), "application/json"),
            ("/reservations", Reserve("}", ",\"ttlSeconds\":31536000}"), "application/json"),
            ("/reservations", Reserve("}", ",\"idempotencyKey\":\"has space\"}"), "application/json"),
            ("/reservations", Reserve("}", ",\"idempotencyKey\":\"" + new string('k', 201) + "\"}"), "application/json"),
            ("/reservations", "{\"accountId\":", "application/json"),
            ("/reservations", "", "application/json"),
            ("/reservations", "null", "application/json"),
            ("/reservations", "[1,2]", "application/json"),
            ("/reservations", valid, "text/plain"),
            ("/reservations", Reserve("\"r\"", "\"" + new string('x', 70_000) + "\""), "application/json"),
            ($"/reservations/{id}/finalize", "{\"amount\":-1}", "application/json"),
            ($"/reservations/{id}/finalize", "{\"reason\":\"no amount\"}", "application/json"),
            ($"/reservations/{id}/finalize", "{\"amount\":1,\"reason\":\"\"}", "application/json"),
            ($"/reservations/{id}/finalize", "{oops", "application/json"),
            ($"/reservations/{id}/release", "{}", "application/json"),
            ($"/reservations/{id}/release", "{\"reason\":\"" + new string('r', 257) + "\"}", "application/json"),
            ("/reservations/bad%7Cid/finalize", "{\"amount\":1}", "application/json"),
            ($"/accounts/{account}/credits", "{\"amount\":10}", "application/json"),
            ($"/accounts/{account}/credits", "{\"amount\":-10,\"idempotencyKey\":\"k\"}", "application/json"),
            ($"/accounts/{account}/credits", "{\"amount\":1000000000000001,\"idempotencyKey\":\"k\"}", "application/json"),
            ($"/accounts/{account}%7Cx/credits", "{\"amount\":10,\"idempotencyKey\":\"k\"}", "application/json"),
        ];

        foreach (var (path, body, contentType) in cases)
        {
            var answer = await Api.PostRawAsync(path, body, contentType);
            Assert.True(answer.Status == HttpStatusCode.BadRequest, $"{path} {body[..Math.Min(body.Length, 120)]} → {answer}");
            Assert.Equal("application/problem+json", answer.ContentType);
            Assert.Equal(ProblemTypes.BadRequest, answer.ProblemType);
            Assert.Equal("invalid_request", answer.String("code"));
            Assert.NotEmpty(answer.Body.GetProperty("errors").EnumerateObject());
        }

        foreach (var path in new[] { "/reservations/bad%7Cid", $"/accounts/{account}/entries?from=0", $"/accounts/{account}/entries?limit=501", $"/accounts/{account}/entries?from=x" })
        {
            var answer = await Api.GetAsync(path);
            Assert.True(answer.Status == HttpStatusCode.BadRequest, $"{path} → {answer}");
            Assert.Equal(ProblemTypes.BadRequest, answer.ProblemType);
        }

        Assert.True(Json.Same(accountBefore.Body, (await Api.AccountAsync(account)).Body));
        Assert.True(Json.Same(reservationBefore.Body, (await Api.GetReservationAsync(id)).Body));
        Assert.Equal(2, (await Api.EntriesAsync(account)).Count);
    }

    [Fact]
    public async Task Reserve_UnknownFields_AreIgnored()
    {
        var account = NewAccount();
        await Api.CreditOkAsync(account, 10);

        var answer = await Api.PostRawAsync("/reservations", $$"""{"accountId":"{{account}}","reference":"r","provider":"acme","operation":"op","amount":5,"amountType":"fixed","extra":{"nested":[1],"amount":7},"note":"x"}""");

        Assert.Equal(HttpStatusCode.Created, answer.Status);
    }

    [Fact]
    public async Task Entries_PageThroughTheLedgerInOrder()
    {
        var account = NewAccount();
        for (var i = 1; i <= 4; i++)
        {
            await Api.CreditOkAsync(account, i * 10);
        }

        var id = await Api.ReserveOkAsync(account, 25);
        await Api.FinalizeAsync(id, 5);

        var first = await Api.GetAsync($"/accounts/{account}/entries?limit=3");
        var second = await Api.GetAsync($"/accounts/{account}/entries?from={first.Long("nextFrom")}&limit=3");
        var third = await Api.GetAsync($"/accounts/{account}/entries?from={second.Long("nextFrom")}&limit=3");
        var beyond = await Api.GetAsync($"/accounts/{account}/entries?from=100");

        Assert.Equal(4L, first.Long("nextFrom"));
        Assert.Equal(7L, second.Long("nextFrom"));
        Assert.Equal(JsonValueKind.Null, third.Body.GetProperty("nextFrom").ValueKind);
        var all = first.Body.GetProperty("entries").EnumerateArray().Concat(second.Body.GetProperty("entries").EnumerateArray()).Concat(third.Body.GetProperty("entries").EnumerateArray()).ToList();
        Assert.Equal([1L, 2, 3, 4, 5, 6, 7], all.Select(e => e.GetProperty("seq").GetInt64()));
        Assert.Equal(["credit", "credit", "credit", "credit", "hold", "release", "charge"], all.Select(e => e.GetProperty("kind").GetString()));
        Assert.Equal(95L, all[^1].GetProperty("balanceAfter").GetInt64());
        Assert.Empty(beyond.Body.GetProperty("entries").EnumerateArray());
    }

    [Fact]
    public async Task ReserveAndFinalize_EmitMetricsAndActivities()
    {
        var replica = Stack.Replicas[0];
        var meterFactory = replica.Services.GetRequiredService<IMeterFactory>();
        var account = NewAccount();
        ConcurrentQueue<(string Instrument, long Value, Dictionary<string, object?> Tags)> measurements = new();
        using var meters = new MeterListener
        {
            InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == BillingTelemetry.Name && instrument.Meter.Scope == meterFactory)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            },
        };
        meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) => measurements.Enqueue((instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value))));
        meters.Start();
        ConcurrentQueue<Activity> activities = new();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == BillingTelemetry.Name,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a =>
            {
                if (Equals(a.GetTagItem(BillingTelemetry.AccountTag), account))
                {
                    activities.Enqueue(a);
                }
            },
        };
        ActivitySource.AddActivityListener(listener);

        await replica.Api.CreditOkAsync(account, 1_000);
        var id = await replica.Api.ReserveOkAsync(account, 600);
        await replica.Api.FinalizeAsync(id, 650);

        Assert.Contains(measurements, m => m.Instrument == BillingTelemetry.ReservationsInstrument && Equals(m.Tags[BillingTelemetry.OperationTag], "reserve") && Equals(m.Tags[BillingTelemetry.OutcomeTag], "created"));
        Assert.Contains(measurements, m => m.Instrument == BillingTelemetry.ReservationsInstrument && Equals(m.Tags[BillingTelemetry.OperationTag], "finalize") && Equals(m.Tags[BillingTelemetry.OutcomeTag], "finalized"));
        Assert.Contains(measurements, m => m.Instrument == BillingTelemetry.AmountInstrument && m.Value == 600 && Equals(m.Tags[BillingTelemetry.AmountKindTag], "reserved"));
        Assert.Contains(measurements, m => m.Instrument == BillingTelemetry.AmountInstrument && m.Value == 650 && Equals(m.Tags[BillingTelemetry.AmountKindTag], "charged"));
        Assert.Contains(measurements, m => m.Instrument == BillingTelemetry.AmountInstrument && m.Value == 50 && Equals(m.Tags[BillingTelemetry.AmountKindTag], "overage"));
        var reserve = Assert.Single(activities, a => a.OperationName == "billing.reserve");
        Assert.Equal(("created", id, "acme"), (reserve.GetTagItem(BillingTelemetry.OutcomeTag), reserve.GetTagItem(BillingTelemetry.ReservationTag), reserve.GetTagItem(BillingTelemetry.ProviderTag)));
        var finalize = Assert.Single(activities, a => a.OperationName == "billing.finalize");
        Assert.Equal("finalized", finalize.GetTagItem(BillingTelemetry.OutcomeTag));
        Assert.Contains(activities, a => a.OperationName == "billing.credit");
    }

    internal static string NewAccount() => "acct-" + Guid.NewGuid().ToString("N")[..20];

    /// <summary>Runs <paramref name="count"/> calls released together, so they really race.</summary>
    internal static async Task<ApiResponse[]> Concurrently(int count, Func<int, Task<ApiResponse>> call)
    {
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = Enumerable.Range(0, count).Select(i => Task.Run(async () =>
        {
            await go.Task;
            return await call(i);
        })).ToArray();
        go.SetResult();
        return await Task.WhenAll(calls);
    }
}

[Collection(OnSqlite.Name)]
public sealed class SqliteBillingApiScenarios(SqliteStackFixture fixture) : BillingApiScenarios(fixture);

[Collection(OnPostgres.Name)]
public sealed class PostgresBillingApiScenarios(PostgresStackFixture fixture) : BillingApiScenarios(fixture);
