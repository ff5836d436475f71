using Gateway.ProxyService.Infrastructure;
using Gateway.ProxyService.Model;
using Gateway.ProxyService.Services;

namespace Gateway.ProxyService.Tests.Services;

public sealed class CallTransitionsTests
{
    private static readonly DateTimeOffset Created = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Now = Created.AddMinutes(5);
    private static readonly CachedResponse Answer = new(200, [], "{}"u8.ToArray());

    /// <summary>Every event, by name.</summary>
    private static readonly Dictionary<string, CallEvent> Events = new(StringComparer.Ordinal)
    {
        ["held"] = new ReservationHeld("rsv_1", Created.AddHours(1)),
        ["skipped"] = new ReservationSkipped("no_account"),
        ["rejected"] = new SubmitRejected("billing_refused_402", new CachedResponse(402, [], [])),
        ["accepted"] = new TaskAccepted("task-1", Answer),
        ["submitFailed"] = new SubmitFailed("error_http_500", new CachedResponse(500, [], [])),
        ["succeeded"] = new TaskEnded(true, 42, "succeeded", Answer),
        ["taskFailed"] = new TaskEnded(false, 0, "task_failed", Answer),
        ["landed"] = new SettlementLanded("finalized", 42),
        ["deferred"] = new SettlementFailed("BillingService answered 500", Now.AddSeconds(2)),
    };

    /// <summary>
    /// The whole machine: every (state, billed?, event) that applies, with the state it leads to.
    /// A charge decided on success, a release on any failure; unbilled calls skip finalize_pending.
    /// </summary>
    public static TheoryData<string, bool, string, string> Applies => new()
    {
        { nameof(CallStatus.Reserving), false, "held", nameof(CallStatus.Submitting) },
        { nameof(CallStatus.Reserving), false, "skipped", nameof(CallStatus.Submitting) },
        { nameof(CallStatus.Reserving), false, "rejected", nameof(CallStatus.Rejected) },
        { nameof(CallStatus.Submitting), true, "accepted", nameof(CallStatus.Running) },
        { nameof(CallStatus.Submitting), false, "accepted", nameof(CallStatus.Running) },
        { nameof(CallStatus.Submitting), true, "submitFailed", nameof(CallStatus.FinalizePending) },
        { nameof(CallStatus.Submitting), false, "submitFailed", nameof(CallStatus.Failed) },
        { nameof(CallStatus.Running), true, "succeeded", nameof(CallStatus.FinalizePending) },
        { nameof(CallStatus.Running), true, "taskFailed", nameof(CallStatus.FinalizePending) },
        { nameof(CallStatus.Running), false, "succeeded", nameof(CallStatus.Completed) },
        { nameof(CallStatus.Running), false, "taskFailed", nameof(CallStatus.Failed) },
        { nameof(CallStatus.FinalizePending), true, "deferred", nameof(CallStatus.FinalizePending) },
    };

    /// <summary>A call already past an event's starting state ignores it: this is what makes a second poller, or a re-read after an unconfirmed write, harmless.</summary>
    public static TheoryData<string, string> AlreadyApplied => new()
    {
        { nameof(CallStatus.Submitting), "held" },
        { nameof(CallStatus.Running), "skipped" },
        { nameof(CallStatus.Rejected), "rejected" },
        { nameof(CallStatus.Running), "accepted" },
        { nameof(CallStatus.FinalizePending), "submitFailed" },
        { nameof(CallStatus.FinalizePending), "succeeded" },
        { nameof(CallStatus.FinalizePending), "taskFailed" },
        { nameof(CallStatus.Completed), "succeeded" },
        { nameof(CallStatus.Failed), "taskFailed" },
        { nameof(CallStatus.Completed), "landed" },
        { nameof(CallStatus.Failed), "landed" },
        { nameof(CallStatus.Completed), "deferred" },
    };

    /// <summary>An event before its time (a stale or confused writer) changes nothing.</summary>
    public static TheoryData<string, string> Refused => new()
    {
        { nameof(CallStatus.Reserving), "accepted" },
        { nameof(CallStatus.Reserving), "succeeded" },
        { nameof(CallStatus.Submitting), "succeeded" },
        { nameof(CallStatus.Running), "landed" },
        { nameof(CallStatus.Running), "deferred" },
        { nameof(CallStatus.Submitting), "landed" },
    };

    [Theory]
    [MemberData(nameof(Applies))]
    public void Apply_EventFromItsState_MovesTheCall(string from, bool billed, string eventName, string to)
    {
        var record = Record(Enum.Parse<CallStatus>(from), billed);

        var transition = CallTransitions.Apply(record, Events[eventName], Now);

        Assert.Equal(TransitionKind.Applied, transition.Kind);
        Assert.Equal(Enum.Parse<CallStatus>(to), transition.Record.Status);
        Assert.Equal(Now, transition.Record.UpdatedAt);
        Assert.Equal(record.CallId, transition.Record.CallId);
    }

    [Theory]
    [MemberData(nameof(AlreadyApplied))]
    public void Apply_EventTheCallIsPast_IsAlreadyAppliedAndChangesNothing(string status, string eventName)
    {
        var record = Record(Enum.Parse<CallStatus>(status), billed: true);

        var transition = CallTransitions.Apply(record, Events[eventName], Now);

        Assert.Equal(TransitionKind.AlreadyApplied, transition.Kind);
        Assert.Same(record, transition.Record);
    }

    [Theory]
    [MemberData(nameof(Refused))]
    public void Apply_EventTheCallHasNotReached_IsRefused(string status, string eventName)
    {
        var record = Record(Enum.Parse<CallStatus>(status), billed: true);

        var transition = CallTransitions.Apply(record, Events[eventName], Now);

        Assert.Equal(TransitionKind.Refused, transition.Kind);
        Assert.Same(record, transition.Record);
        Assert.NotNull(transition.Why);
    }

    [Fact]
    public void Apply_ReservationHeld_RecordsTheReservation()
    {
        var next = CallTransitions.Apply(Record(CallStatus.Reserving, billed: false), Events["held"], Now).Record;

        Assert.Equal("rsv_1", next.Billing.ReservationId);
        Assert.Equal(Created.AddHours(1), next.Billing.ExpiresAt);
        Assert.True(next.IsBilled);
    }

    [Fact]
    public void Apply_ReservationSkipped_RecordsWhyUnbilled()
    {
        var next = CallTransitions.Apply(Record(CallStatus.Reserving, billed: false), Events["skipped"], Now).Record;

        Assert.Equal("no_account", next.Billing.UnbilledReason);
        Assert.False(next.IsBilled);
    }

    [Fact]
    public void Apply_SubmitRejected_KeepsTheAnswerForReplays()
    {
        var next = CallTransitions.Apply(Record(CallStatus.Reserving, billed: false), Events["rejected"], Now).Record;

        Assert.Equal(CallOutcome.Rejected, next.Outcome);
        Assert.Equal("billing_refused_402", next.Reason);
        Assert.Equal(402, next.SubmitResponse!.StatusCode);
        Assert.Null(next.Settlement);
    }

    [Fact]
    public void Apply_TaskAccepted_RecordsTheTaskAndTheAnswer()
    {
        var next = CallTransitions.Apply(Record(CallStatus.Submitting, billed: true), Events["accepted"], Now).Record;

        Assert.Equal("task-1", next.TaskId);
        Assert.Same(Answer, next.SubmitResponse);
    }

    [Fact]
    public void Apply_SubmitFailedWhenBilled_DecidesAReleaseWithTheReason()
    {
        var next = CallTransitions.Apply(Record(CallStatus.Submitting, billed: true), Events["submitFailed"], Now).Record;

        Assert.Equal(CallOutcome.SubmitFailed, next.Outcome);
        Assert.Equal(new Settlement(SettlementKind.Release, 0, "error_http_500"), next.Settlement);
        Assert.Equal("error_http_500", next.Reason);
    }

    [Fact]
    public void Apply_TaskSucceededWhenBilled_DecidesAChargeOfTheAmount()
    {
        var next = CallTransitions.Apply(Record(CallStatus.Running, billed: true), Events["succeeded"], Now).Record;

        Assert.Equal(CallOutcome.Succeeded, next.Outcome);
        Assert.Equal(new Settlement(SettlementKind.Charge, 42, "succeeded"), next.Settlement);
        Assert.Same(Answer, next.FinalResponse);
        Assert.Null(next.Reason);
    }

    [Fact]
    public void Apply_TaskFailedWhenBilled_DecidesARelease()
    {
        var next = CallTransitions.Apply(Record(CallStatus.Running, billed: true), Events["taskFailed"], Now).Record;

        Assert.Equal(CallOutcome.TaskFailed, next.Outcome);
        Assert.Equal(new Settlement(SettlementKind.Release, 0, "task_failed"), next.Settlement);
        Assert.Equal("task_failed", next.Reason);
    }

    [Fact]
    public void Apply_TaskEndedWhenUnbilled_EndsWithoutASettlement()
    {
        var next = CallTransitions.Apply(Record(CallStatus.Running, billed: false), Events["succeeded"], Now).Record;

        Assert.Equal(CallStatus.Completed, next.Status);
        Assert.Null(next.Settlement);
    }

    [Fact]
    public void Apply_SettlementFailed_CountsTheFailureAndSchedulesTheNextAttempt()
    {
        var record = Record(CallStatus.FinalizePending, billed: true) with { Settlement = new Settlement(SettlementKind.Charge, 42, "succeeded", Failures: 2) };

        var next = CallTransitions.Apply(record, Events["deferred"], Now).Record;

        Assert.Equal(3, next.Settlement!.Failures);
        Assert.Equal(Now.AddSeconds(2), next.Settlement.NextAttemptAt);
        Assert.Equal("BillingService answered 500", next.Settlement.LastError);
        Assert.Null(next.Settlement.Result);
    }

    [Theory]
    [InlineData(nameof(CallOutcome.Succeeded), nameof(CallStatus.Completed))]
    [InlineData(nameof(CallOutcome.TaskFailed), nameof(CallStatus.Failed))]
    [InlineData(nameof(CallOutcome.SubmitFailed), nameof(CallStatus.Failed))]
    public void Apply_SettlementLanded_EndsTheCallByItsOutcome(string outcomeName, string expectedName)
    {
        var (outcome, expected) = (Enum.Parse<CallOutcome>(outcomeName), Enum.Parse<CallStatus>(expectedName));
        var record = Record(CallStatus.FinalizePending, billed: true) with
        {
            Outcome = outcome,
            Settlement = new Settlement(SettlementKind.Charge, 42, "succeeded", Failures: 1, NextAttemptAt: Now),
        };

        var next = CallTransitions.Apply(record, Events["landed"], Now).Record;

        Assert.Equal(expected, next.Status);
        Assert.True(next.IsTerminal);
        Assert.Equal("finalized", next.Settlement!.Result);
        Assert.Equal(42, next.Settlement.Charged);
        Assert.Equal(Now, next.Settlement.SettledAt);
        Assert.Null(next.Settlement.NextAttemptAt);
        Assert.Equal(1, next.Settlement.Failures);
    }

    [Fact]
    public void Apply_TerminalStates_NeverChange()
    {
        foreach (var status in new[] { CallStatus.Completed, CallStatus.Failed, CallStatus.Rejected })
        {
            foreach (var (name, @event) in Events)
            {
                var record = Record(status, billed: true);
                var transition = CallTransitions.Apply(record, @event, Now);
                Assert.True(transition.Kind == TransitionKind.AlreadyApplied, $"{name} on {status} gave {transition.Kind}");
                Assert.Same(record, transition.Record);
            }
        }
    }

    private static CallRecord Record(CallStatus status, bool billed) => new()
    {
        CallId = "call_0123456789abcdef0123456789abcdef",
        Provider = "demo",
        Operation = "generate",
        Status = status,
        RequestHash = "hash",
        Billing = new BillingHold(BillingMode.Required, 100, "estimate", billed ? "rsv_1" : null),
        Settlement = status == CallStatus.FinalizePending ? new Settlement(SettlementKind.Charge, 42, "succeeded") : null,
        Outcome = status == CallStatus.FinalizePending ? CallOutcome.Succeeded : null,
        CreatedAt = Created,
        UpdatedAt = Created,
    };
}
