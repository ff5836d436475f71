using Gateway.LocalSidecar.Actors;

namespace Gateway.LocalSidecar.Tests.Actors;

public class ActorScheduleTests
{
    private static readonly DateTimeOffset Start = new(2026, 1, 31, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("", 0)]
    [InlineData("1m", 60)]
    [InlineData("0h0m3s0ms", 3)]
    [InlineData("PT10S", 10)]
    [InlineData("PT1H30M", 5400)]
    [InlineData("P1DT1S", 86401)]
    [InlineData("P1W", 604800)]
    public void TryParseTime_ReadsDurationsFromTheStart(string text, int seconds)
    {
        Assert.True(ActorTime.TryParseTime(text, Start, out var time, out _));
        Assert.Equal(Start.AddSeconds(seconds), time);
    }

    [Fact]
    public void TryParseTime_ReadsRfc3339Timestamps()
    {
        Assert.True(ActorTime.TryParseTime("2030-05-06T07:08:09Z", Start, out var time, out _));
        Assert.Equal(new DateTimeOffset(2030, 5, 6, 7, 8, 9, TimeSpan.Zero), time);
    }

    [Theory]
    [InlineData("R5/PT10S")]
    [InlineData("soon")]
    [InlineData("P1X")]
    [InlineData("5")]
    public void TryParseTime_RejectsOtherText(string text) => Assert.False(ActorTime.TryParseTime(text, Start, out _, out _));

    [Theory]
    [InlineData("", -1, false)]
    [InlineData("10s", -1, true)]
    [InlineData("PT10S", -1, true)]
    [InlineData("R5/PT10S", 5, true)]
    [InlineData("R3/1s", 0, false)]
    public void ActorPeriod_ReadsRepetitions(string text, int repeats, bool hasRepeats)
    {
        var parsed = ActorPeriod.TryParse(text, out var period, out _);

        if (text == "R3/1s")
        {
            Assert.False(parsed);
            return;
        }

        Assert.True(parsed);
        Assert.Equal(repeats, period.Repeats);
        Assert.Equal(hasRepeats, period.HasRepeats);
    }

    [Fact]
    public void ActorPeriod_ZeroRepetitions_IsAnError()
    {
        Assert.False(ActorPeriod.TryParse("R0/PT1S", out _, out var error));
        Assert.Equal("has zero repetitions", error);
    }

    [Fact]
    public void ActorPeriod_CalendarUnits_AreAddedAsSuch()
    {
        Assert.True(ActorPeriod.TryParse("P1M", out var month, out _));

        Assert.Equal(new DateTimeOffset(2026, 2, 28, 12, 0, 0, TimeSpan.Zero), month.Following(Start));
    }

    [Fact]
    public void Reminder_AfterFiring_KeepsItsRhythm_AndCountsDownRepetitions()
    {
        var reminder = new ReminderRecord("a", "T", "r", null, "0s", "R3/PT10S", null, Start, Start, null, 3);

        var second = reminder.AfterFiring(Start.AddSeconds(1))!;
        var third = second.AfterFiring(Start.AddSeconds(25))!;

        Assert.Equal(Start.AddSeconds(10), second.NextFire);
        Assert.Equal(2, second.Remaining);
        Assert.Equal(Start.AddSeconds(30), third.NextFire);
        Assert.Null(third.AfterFiring(Start.AddSeconds(31)));
        Assert.Null((reminder with { Period = "" }).AfterFiring(Start));
    }
}
