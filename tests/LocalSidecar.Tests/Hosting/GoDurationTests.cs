using Gateway.LocalSidecar.Components;

namespace Gateway.LocalSidecar.Tests.Hosting;

public class GoDurationTests
{
    [Theory]
    [InlineData("0", 0)]
    [InlineData("1s", 1000)]
    [InlineData("1m", 60_000)]
    [InlineData("1h30m", 5_400_000)]
    [InlineData("0h0m3s0ms", 3000)]
    [InlineData("1.5s", 1500)]
    [InlineData("300ms", 300)]
    [InlineData("-2s", -2000)]
    public void TryParse_ReadsGoDurations(string text, double milliseconds)
    {
        Assert.True(GoDuration.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("5")]
    [InlineData("5x")]
    [InlineData("s")]
    [InlineData("PT5S")]
    public void TryParse_RejectsOtherText(string text) => Assert.False(GoDuration.TryParse(text, out _));

    [Theory]
    [InlineData("20", 20_000)]
    [InlineData("20s", 20_000)]
    [InlineData("2m", 120_000)]
    public void ParseMetadata_TakesSecondsOrGoDurations(string text, double milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), GoDuration.ParseMetadata("timeout", text));
}
