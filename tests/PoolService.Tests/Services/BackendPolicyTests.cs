using Gateway.Testing;
using Gateway.PoolService.Model;
using Gateway.PoolService.Services;
using Gateway.PoolService.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace Gateway.PoolService.Tests.Services;

/// <summary>The policy as tables driven by a manual clock: base 5 s, max 300 s, 1 s slots, 10 % trickle, 5 failures eject for 30 s, 3 failed probes.</summary>
public sealed class BackendPolicyTests
{
    private readonly FakeTimeProvider _clock = TestClock.Create();
    private readonly BackendPolicy _policy = new(new BackendPolicyOptions());

    private static BackendLimits Limits(int rpm = 60, bool enabled = true, int? probeInterval = null) => new(rpm, enabled, probeInterval);

    [Theory]
    [InlineData(1, 5)]
    [InlineData(2, 10)]
    [InlineData(3, 20)]
    [InlineData(4, 40)]
    [InlineData(5, 80)]
    [InlineData(6, 160)]
    [InlineData(7, 300)]
    [InlineData(8, 300)]
    [InlineData(64, 300)]
    [InlineData(int.MaxValue, 300)]
    public void Backoff_AfterNConsecutive429s_IsBaseTimesTwoToNMinusOne_CappedAtMax(int n, int expectedSeconds) =>
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), _policy.Backoff(n));

    [Theory]
    [InlineData(1, 5)]
    [InlineData(2, 10)]
    [InlineData(4, 40)]
    [InlineData(7, 300)]
    [InlineData(9, 300)]
    public void Report_RateLimitedNTimesInARow_CoolsDownForTheEscalatedBackoff(int n, int expectedSeconds)
    {
        var state = BackendState.Initial;
        for (var i = 0; i < n; i++)
        {
            _clock.Advance(TimeSpan.FromSeconds(1));
            state = _policy.Report(state, new Outcome(OutcomeKind.RateLimited), _clock.GetUtcNow());
        }

        Assert.Equal(n, state.ConsecutiveRateLimits);
        Assert.Equal(_clock.GetUtcNow().AddSeconds(expectedSeconds), state.CooldownUntil);
    }

    [Theory]
    [InlineData(1, 30, 30)] // Retry-After longer than the backoff wins
    [InlineData(1, 2, 5)] // shorter: the backoff stands
    [InlineData(3, 10, 20)]
    [InlineData(7, 600, 600)] // beyond the escalation cap: still honoured
    [InlineData(7, 7200, 3600)] // beyond RetryAfterCap (1 h): cut to it
    [InlineData(2, 0, 10)]
    public void Report_RateLimitedWithRetryAfter_CoolsDownForTheLongerOfBackoffAndRetryAfter(int n, int retryAfterSeconds, int expectedSeconds)
    {
        var state = BackendState.Initial;
        for (var i = 1; i < n; i++)
        {
            state = _policy.Report(state, new Outcome(OutcomeKind.RateLimited), _clock.GetUtcNow());
        }

        _clock.Advance(TimeSpan.FromSeconds(1));
        state = _policy.Report(state, new Outcome(OutcomeKind.RateLimited, RetryAfter: TimeSpan.FromSeconds(retryAfterSeconds)), _clock.GetUtcNow());

        Assert.Equal(_clock.GetUtcNow().AddSeconds(expectedSeconds), state.CooldownUntil);
    }

    [Fact]
    public void Report_RateLimited_NeverShortensARunningCooldown()
    {
        var state = _policy.Report(BackendState.Initial, new Outcome(OutcomeKind.RateLimited, RetryAfter: TimeSpan.FromMinutes(10)), _clock.GetUtcNow());
        var until = state.CooldownUntil;
        _clock.Advance(TimeSpan.FromSeconds(1));

        state = _policy.Report(state, new Outcome(OutcomeKind.RateLimited), _clock.GetUtcNow());

        Assert.Equal(until, state.CooldownUntil);
        Assert.Equal(2, state.ConsecutiveRateLimits);
    }

    [Fact]
    public void Report_Success_ResetsTheCountAndEndsTheCooldown_SoTheNext429StartsOverAtBase()
    {
        var state = BackendState.Initial;
        for (var i = 0; i < 4; i++)
        {
            state = _policy.Report(state, new Outcome(OutcomeKind.RateLimited), _clock.GetUtcNow());
        }

        _clock.Advance(TimeSpan.FromSeconds(1));
        state = _policy.Report(state, new Outcome(OutcomeKind.Success, TimeSpan.FromMilliseconds(200)), _clock.GetUtcNow());
        var afterSuccess = state;
        state = _policy.Report(state, new Outcome(OutcomeKind.RateLimited), _clock.GetUtcNow());

        Assert.Equal(0, afterSuccess.ConsecutiveRateLimits);
        Assert.Null(afterSuccess.CooldownUntil);
        Assert.IsType<AcquireDecision.Granted>(_policy.Acquire(afterSuccess, Limits(), false, _clock.GetUtcNow()).Decision);
        Assert.Equal(1, state.ConsecutiveRateLimits);
        Assert.Equal(_clock.GetUtcNow().AddSeconds(5), state.CooldownUntil);
    }

    [Fact]
    public void Report_429OfALeaseGrantedBeforeTheCooldown_DoesNotEscalate_ButALongerRetryAfterExtends()
    {
        var grantedBefore = _clock.GetUtcNow();
        _clock.Advance(TimeSpan.FromSeconds(1));
        var state = _policy.Report(BackendState.Initial, new Outcome(OutcomeKind.RateLimited), _clock.GetUtcNow());
        var started = _clock.GetUtcNow();

        var straggler = _policy.Report(state, new Outcome(OutcomeKind.RateLimited, GrantedAt: grantedBefore), _clock.GetUtcNow());
        var stragglerWithRetryAfter = _policy.Report(state, new Outcome(OutcomeKind.RateLimited, RetryAfter: TimeSpan.FromSeconds(60), GrantedAt: grantedBefore), _clock.GetUtcNow());
        var fresh = _policy.Report(state, new Outcome(OutcomeKind.RateLimited, GrantedAt: started), _clock.GetUtcNow());

        Assert.Equal(1, straggler.ConsecutiveRateLimits);
        Assert.Equal(started.AddSeconds(5), straggler.CooldownUntil);
        Assert.Equal(1, stragglerWithRetryAfter.ConsecutiveRateLimits);
        Assert.Equal(started.AddSeconds(60), stragglerWithRetryAfter.CooldownUntil);
        Assert.Equal(2, fresh.ConsecutiveRateLimits);
        Assert.Equal(started.AddSeconds(10), fresh.CooldownUntil);
    }

    [Fact]
    public void Report_SuccessOfALeaseGrantedBeforeTheCooldown_ResetsTheCount_ButKeepsTheCooldown()
    {
        var grantedBefore = _clock.GetUtcNow();
        _clock.Advance(TimeSpan.FromSeconds(1));
        var state = _policy.Report(BackendState.Initial, new Outcome(OutcomeKind.RateLimited), _clock.GetUtcNow());

        var after = _policy.Report(state, new Outcome(OutcomeKind.Success, GrantedAt: grantedBefore), _clock.GetUtcNow());

        Assert.Equal(0, after.ConsecutiveRateLimits);
        Assert.Equal(state.CooldownUntil, after.CooldownUntil);
    }

    [Theory]
    [InlineData(0, false, 5.0)]
    [InlineData(4.5, false, 0.5)]
    [InlineData(5, true, null)]
    [InlineData(6, true, null)]
    public void Acquire_DuringAndAfterCooldown_DeniesWithTheTimeLeft_ThenGrants(double secondsLater, bool granted, double? retryAfterSeconds)
    {
        var state = _policy.Report(BackendState.Initial, new Outcome(OutcomeKind.RateLimited), _clock.GetUtcNow());
        _clock.Advance(TimeSpan.FromSeconds(secondsLater));

        var (_, decision) = _policy.Acquire(state, Limits(), allowEmergency: false, _clock.GetUtcNow());

        if (granted)
        {
            Assert.Equal(new AcquireDecision.Granted(false), decision);
        }
        else
        {
            Assert.Equal(new AcquireDecision.Denied(DenyReason.Cooldown, TimeSpan.FromSeconds(retryAfterSeconds!.Value)), decision);
        }
    }

    /// <summary>
    /// rpm 3, 1 s slots: grants at 0.0, 0.5 and 0.9 s share the slot [0, 1), which stops counting at
    /// 61 s; a grant at 30.2 s counts until 91 s.
    /// </summary>
    [Theory]
    [InlineData(new[] { 0.0, 0.5, 0.9 }, 0.95, false, 60.05)]
    [InlineData(new[] { 0.0, 0.5, 0.9 }, 60.0, false, 1.0)]
    [InlineData(new[] { 0.0, 0.5, 0.9 }, 60.999, false, 0.001)]
    [InlineData(new[] { 0.0, 0.5, 0.9 }, 61.0, true, null)]
    [InlineData(new[] { 0.0, 0.5 }, 0.9, true, null)]
    [InlineData(new[] { 0.0, 10.0, 30.2 }, 60.5, false, 0.5)]
    [InlineData(new[] { 0.0, 10.0, 30.2 }, 61.0, true, null)]
    [InlineData(new[] { 0.0, 10.0, 30.2 }, 71.0, true, null)]
    public void Acquire_RpmWindowEdges_AGrantCountsForTheWindowPlusAtMostOneSlot(double[] grantsAt, double askAt, bool granted, double? retryAfterSeconds)
    {
        var start = _clock.GetUtcNow();
        var state = BackendState.Initial;
        foreach (var at in grantsAt)
        {
            var (next, decision) = _policy.Acquire(state, Limits(rpm: 3), false, start.AddSeconds(at));
            Assert.IsType<AcquireDecision.Granted>(decision);
            state = next;
        }

        var (_, answer) = _policy.Acquire(state, Limits(rpm: 3), false, start.AddSeconds(askAt));

        if (granted)
        {
            Assert.IsType<AcquireDecision.Granted>(answer);
        }
        else
        {
            var denied = Assert.IsType<AcquireDecision.Denied>(answer);
            Assert.Equal(DenyReason.RpmExhausted, denied.Reason);
            Assert.Equal(retryAfterSeconds!.Value, denied.RetryAfter!.Value.TotalSeconds, precision: 6);
        }
    }

    [Theory]
    [InlineData(60, 7)]
    [InlineData(5, 11)]
    [InlineData(1, 23)]
    public void Acquire_UnderRandomLoadForTenMinutes_NeverGrantsMoreThanRpmInAnyRollingMinute(int rpm, int seed)
    {
        var random = new Random(seed);
        var state = BackendState.Initial;
        var grants = new List<DateTimeOffset>();
        var end = _clock.GetUtcNow().AddMinutes(10);
        while (_clock.GetUtcNow() < end)
        {
            _clock.Advance(TimeSpan.FromMilliseconds(random.Next(1, 2000)));
            var (next, decision) = _policy.Acquire(state, Limits(rpm), false, _clock.GetUtcNow());
            if (decision is AcquireDecision.Granted)
            {
                grants.Add(_clock.GetUtcNow());
            }

            state = next;
        }

        foreach (var grant in grants)
        {
            Assert.True(grants.Count(g => g > grant - BackendPolicy.Window && g <= grant) <= rpm, $"more than {rpm} grants in the minute ending {grant:o}");
        }

        // The window is used, not just respected: over ten minutes at up to one ask a second it fills.
        Assert.True(grants.Count >= Math.Min(rpm * 8, 250), $"only {grants.Count} grants");
    }

    [Fact]
    public void Acquire_WhenTheLimitWasLoweredBelowWhatWasGranted_WaitsUntilEnoughGrantsExpire()
    {
        var start = _clock.GetUtcNow();
        var state = BackendState.Initial;
        for (var i = 0; i < 4; i++)
        {
            state = _policy.Acquire(state, Limits(rpm: 10), false, start.AddSeconds(i * 10)).State;
        }

        var (_, decision) = _policy.Acquire(state, Limits(rpm: 2), false, start.AddSeconds(35));

        // Grants at 0, 10, 20, 30 s count until 61, 71, 81, 91 s: fewer than 2 count only from 81 s on.
        Assert.Equal(new AcquireDecision.Denied(DenyReason.RpmExhausted, TimeSpan.FromSeconds(46)), decision);
    }

    [Theory]
    [InlineData(60, 0.1, 6)]
    [InlineData(10, 0.05, 1)]
    [InlineData(1, 0.5, 1)]
    [InlineData(1000, 0.25, 250)]
    [InlineData(100, 0.0, 0)]
    [InlineData(7, 1.0, 7)]
    public void EmergencyAllowance_IsTheFractionOfRpm_AtLeastOneWhenOn(int rpm, double fraction, int expected)
    {
        var policy = new BackendPolicy(new BackendPolicyOptions { EmergencyFraction = fraction });

        Assert.Equal(expected, policy.EmergencyAllowance(rpm));
    }

    [Fact]
    public void Acquire_InCooldown_GrantsTheEmergencyTrickleOnlyWhenAskedForIt_ThenDeniesUntilItsSlotExpires()
    {
        var state = _policy.Report(BackendState.Initial, new Outcome(OutcomeKind.RateLimited, RetryAfter: TimeSpan.FromMinutes(5)), _clock.GetUtcNow());
        var normal = _policy.Acquire(state, Limits(rpm: 60), allowEmergency: false, _clock.GetUtcNow()).Decision;
        var granted = 0;
        AcquireDecision last;
        while (true)
        {
            (state, last) = _policy.Acquire(state, Limits(rpm: 60), allowEmergency: true, _clock.GetUtcNow());
            if (last is not AcquireDecision.Granted { Emergency: true })
            {
                break;
            }

            granted++;
        }

        Assert.Equal(DenyReason.Cooldown, Assert.IsType<AcquireDecision.Denied>(normal).Reason);
        Assert.Equal(6, granted);
        Assert.Equal(new AcquireDecision.Denied(DenyReason.EmergencyExhausted, TimeSpan.FromSeconds(61)), last);
        Assert.Equal(6, state.Grants.CountAt(_clock.GetUtcNow()));
    }

    [Fact]
    public void Acquire_EmergencyGrants_CountTowardRpm_SoTheTrickleNeverExceedsTheLimit()
    {
        var policy = new BackendPolicy(new BackendPolicyOptions { EmergencyFraction = 1.0 });
        var state = BackendState.Initial;
        for (var i = 0; i < 3; i++)
        {
            state = policy.Acquire(state, Limits(rpm: 5), false, _clock.GetUtcNow()).State;
        }

        state = policy.Report(state, new Outcome(OutcomeKind.RateLimited), _clock.GetUtcNow());
        var emergency = 0;
        for (var i = 0; i < 10; i++)
        {
            var (next, decision) = policy.Acquire(state, Limits(rpm: 5), true, _clock.GetUtcNow());
            emergency += decision is AcquireDecision.Granted ? 1 : 0;
            state = next;
        }

        Assert.Equal(2, emergency);
        Assert.Equal(DenyReason.RpmExhausted, Assert.IsType<AcquireDecision.Denied>(policy.Acquire(state, Limits(rpm: 5), true, _clock.GetUtcNow()).Decision).Reason);
    }

    [Fact]
    public void Acquire_WithTheTrickleOff_DeniesCooldownEvenWhenEmergencyIsAskedFor()
    {
        var policy = new BackendPolicy(new BackendPolicyOptions { EmergencyFraction = 0 });
        var state = policy.Report(BackendState.Initial, new Outcome(OutcomeKind.RateLimited), _clock.GetUtcNow());

        var decision = policy.Acquire(state, Limits(), allowEmergency: true, _clock.GetUtcNow()).Decision;

        Assert.Equal(new AcquireDecision.Denied(DenyReason.Cooldown, TimeSpan.FromSeconds(5)), decision);
    }

    [Fact]
    public void Report_SuccessOfAnEmergencyLease_EndsTheCooldown()
    {
        var state = _policy.Report(BackendState.Initial, new Outcome(OutcomeKind.RateLimited, RetryAfter: TimeSpan.FromMinutes(5)), _clock.GetUtcNow());
        _clock.Advance(TimeSpan.FromSeconds(10));
        (state, _) = _policy.Acquire(state, Limits(), allowEmergency: true, _clock.GetUtcNow());
        var grantedAt = _clock.GetUtcNow();
        _clock.Advance(TimeSpan.FromSeconds(1));

        state = _policy.Report(state, new Outcome(OutcomeKind.Success, GrantedAt: grantedAt), _clock.GetUtcNow());

        Assert.Equal(new AcquireDecision.Granted(false), _policy.Acquire(state, Limits(), false, _clock.GetUtcNow()).Decision);
    }

    [Theory]
    [InlineData("disabled")]
    [InlineData("unhealthy")]
    [InlineData("ejected")]
    public void Acquire_DisabledUnhealthyOrEjected_IsDeniedEvenTheEmergencyTrickle_EvenInCooldown(string condition)
    {
        var reason = Enum.GetValues<DenyReason>().Single(r => Names.Of(r) == condition);
        var now = _clock.GetUtcNow();
        var state = _policy.Report(BackendState.Initial, new Outcome(OutcomeKind.RateLimited), now) with
        {
            ProbeUnhealthy = condition == "unhealthy",
            EjectedUntil = condition == "ejected" ? now.AddSeconds(30) : null,
        };

        var (after, decision) = _policy.Acquire(state, Limits(enabled: condition != "disabled", probeInterval: 15), allowEmergency: true, now);

        Assert.Equal(reason, Assert.IsType<AcquireDecision.Denied>(decision).Reason);
        Assert.Same(state, after);
    }

    [Theory]
    [InlineData(15, 15.0)]
    [InlineData(null, null)]
    public void Acquire_Unhealthy_RetriesAfterTheProbeInterval_WhenProbed(int? probeInterval, double? expectedSeconds)
    {
        var state = BackendState.Initial with { ProbeUnhealthy = true };

        var decision = _policy.Acquire(state, Limits(probeInterval: probeInterval), false, _clock.GetUtcNow()).Decision;

        Assert.Equal(new AcquireDecision.Denied(DenyReason.Unhealthy, expectedSeconds is { } s ? TimeSpan.FromSeconds(s) : null), decision);
    }

    [Fact]
    public void Acquire_Denied_ReturnsTheSameStateInstance_SoTheActorWritesNothing()
    {
        var state = BackendState.Initial;
        (state, _) = _policy.Acquire(state, Limits(rpm: 1), false, _clock.GetUtcNow());

        var (after, decision) = _policy.Acquire(state, Limits(rpm: 1), false, _clock.GetUtcNow());

        Assert.IsType<AcquireDecision.Denied>(decision);
        Assert.Same(state, after);
    }

    [Theory]
    [InlineData(new[] { "timeout", "timeout", "timeout", "timeout" }, false)]
    [InlineData(new[] { "timeout", "connect_error", "server_error", "timeout", "server_error" }, true)]
    [InlineData(new[] { "timeout", "timeout", "success", "timeout", "timeout", "timeout" }, false)]
    [InlineData(new[] { "timeout", "timeout", "client_error", "timeout", "timeout", "timeout" }, false)]
    [InlineData(new[] { "timeout", "timeout", "rate_limited", "timeout", "timeout", "timeout" }, false)]
    [InlineData(new[] { "server_error", "server_error", "server_error", "server_error", "server_error" }, true)]
    public void Report_FailuresInARow_EjectTheBackendForTheEjectionDuration(string[] outcomes, bool ejected)
    {
        var state = BackendState.Initial;
        foreach (var outcome in outcomes)
        {
            state = _policy.Report(state, new Outcome(Parse(outcome)), _clock.GetUtcNow());
        }

        Assert.Equal(ejected ? _clock.GetUtcNow().AddSeconds(30) : null, state.EjectedUntil);
        var decision = _policy.Acquire(state, Limits(), true, _clock.GetUtcNow()).Decision;
        Assert.Equal(ejected, decision is AcquireDecision.Denied { Reason: DenyReason.Ejected });
    }

    [Fact]
    public void Report_FailuresOfLeasesGrantedBeforeTheEjection_DoNotEjectAgain()
    {
        var grantedBefore = _clock.GetUtcNow();
        _clock.Advance(TimeSpan.FromSeconds(1));
        var state = BackendState.Initial;
        for (var i = 0; i < 5; i++)
        {
            state = _policy.Report(state, new Outcome(OutcomeKind.Timeout, GrantedAt: grantedBefore), _clock.GetUtcNow());
        }

        var ejectedUntil = state.EjectedUntil;
        _clock.Advance(TimeSpan.FromSeconds(20));
        for (var i = 0; i < 10; i++)
        {
            state = _policy.Report(state, new Outcome(OutcomeKind.Timeout, GrantedAt: grantedBefore), _clock.GetUtcNow());
        }

        Assert.Equal(ejectedUntil, state.EjectedUntil);
        Assert.Equal(0, state.ConsecutiveFailures);
    }

    [Theory]
    [InlineData(new[] { false, false }, false, 2)]
    [InlineData(new[] { false, false, false }, true, 3)]
    [InlineData(new[] { false, false, false, false, false }, true, 5)]
    [InlineData(new[] { false, false, true, false, false }, false, 2)]
    [InlineData(new[] { false, false, false, true }, false, 0)]
    public void ReportProbe_KFailuresInARow_MakeItUnhealthyUntilAProbePasses(bool[] probes, bool unhealthy, int failuresInARow)
    {
        var state = BackendState.Initial;
        foreach (var passed in probes)
        {
            _clock.Advance(TimeSpan.FromSeconds(10));
            state = _policy.ReportProbe(state, passed, _clock.GetUtcNow());
        }

        Assert.Equal(unhealthy, state.ProbeUnhealthy);
        Assert.Equal(failuresInARow, state.ConsecutiveProbeFailures);
        Assert.Equal(_clock.GetUtcNow(), state.LastProbeAt);
    }

    [Fact]
    public void Report_Latency_IsAnExponentialMean_IgnoringTimeoutsAndConnectErrors()
    {
        var state = _policy.Report(BackendState.Initial, new Outcome(OutcomeKind.Success, TimeSpan.FromMilliseconds(100)), _clock.GetUtcNow());
        state = _policy.Report(state, new Outcome(OutcomeKind.Timeout, TimeSpan.FromSeconds(60)), _clock.GetUtcNow());
        state = _policy.Report(state, new Outcome(OutcomeKind.ConnectError, TimeSpan.FromSeconds(5)), _clock.GetUtcNow());
        state = _policy.Report(state, new Outcome(OutcomeKind.Success, TimeSpan.FromMilliseconds(200)), _clock.GetUtcNow());

        Assert.Equal(120, state.LatencyEwmaMs!.Value, precision: 9);
        Assert.Equal(OutcomeKind.Success, state.LastOutcome);
    }

    [Fact]
    public void Describe_NamesTheMostSevereCondition()
    {
        var now = _clock.GetUtcNow();
        var cooling = _policy.Report(BackendState.Initial, new Outcome(OutcomeKind.RateLimited), now);
        var saturated = _policy.Acquire(BackendState.Initial, Limits(rpm: 1), false, now).State;

        Assert.Equal(BackendCondition.Available, _policy.Describe("b", BackendState.Initial, Limits(), now).State);
        Assert.Equal(BackendCondition.Saturated, _policy.Describe("b", saturated, Limits(rpm: 1), now).State);
        Assert.Equal(BackendCondition.Cooldown, _policy.Describe("b", cooling, Limits(), now).State);
        Assert.Equal(BackendCondition.Ejected, _policy.Describe("b", cooling with { EjectedUntil = now.AddSeconds(1) }, Limits(), now).State);
        Assert.Equal(BackendCondition.Unhealthy, _policy.Describe("b", cooling with { ProbeUnhealthy = true, EjectedUntil = now.AddSeconds(1) }, Limits(), now).State);
        Assert.Equal(BackendCondition.Disabled, _policy.Describe("b", cooling with { ProbeUnhealthy = true }, Limits(enabled: false), now).State);
        Assert.Equal(BackendCondition.Available, _policy.Describe("b", cooling, Limits(), now.AddSeconds(5)).State);
    }

    private static OutcomeKind Parse(string name) => Enum.GetValues<OutcomeKind>().Single(k => Names.Of(k) == name);
}
