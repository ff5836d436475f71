using Gateway.ServiceDefaults.Actors;

namespace Gateway.ServiceDefaults.Tests.Actors;

/// <summary>TimeSpans written as Go's time.Duration.String() writes them (checked against Go's own examples).</summary>
public sealed class GoDurationTests
{
    public static TheoryData<TimeSpan, string> Cases => new()
    {
        { TimeSpan.Zero, "0s" },
        { TimeSpan.FromHours(1), "1h0m0s" },
        { TimeSpan.FromSeconds(30), "30s" },
        { TimeSpan.FromMinutes(1), "1m0s" },
        { TimeSpan.FromSeconds(90.5), "1m30.5s" },
        { TimeSpan.FromHours(25) + TimeSpan.FromSeconds(1), "25h0m1s" },
        { TimeSpan.FromDays(3), "72h0m0s" },
        { TimeSpan.FromMilliseconds(500), "500ms" },
        { TimeSpan.FromMilliseconds(1.5), "1.5ms" },
        { TimeSpan.FromTicks(15), "1.5µs" },
        { TimeSpan.FromTicks(1), "100ns" },
        { TimeSpan.FromSeconds(1) + TimeSpan.FromTicks(1), "1.0000001s" },
        { TimeSpan.FromSeconds(-5), "-5s" },
        { TimeSpan.FromMinutes(-90), "-1h30m0s" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void Format_WritesGoDurationString(TimeSpan value, string expected) =>
        Assert.Equal(expected, GoDuration.Format(value));
}
