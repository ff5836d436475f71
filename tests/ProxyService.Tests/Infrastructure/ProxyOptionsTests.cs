using Gateway.ProxyService.Infrastructure;

namespace Gateway.ProxyService.Tests.Infrastructure;

public sealed class ProxyOptionsTests
{
    [Fact]
    public void Validate_Defaults_AreUsable() => Assert.Empty(new ProxyOptions().Validate());

    [Fact]
    public void Validate_ShortOperatorToken_IsRefused() =>
        Assert.Contains(new ProxyOptions { OperatorToken = "short" }.Validate(), p => p.StartsWith("OperatorToken must be at least 16", StringComparison.Ordinal));

    [Theory]
    [InlineData("billing", true)]
    [InlineData("billing-eu.v2", true)]
    [InlineData("bill ing", false)]
    [InlineData("billing/x", false)]
    [InlineData("127.0.0.1", false)]
    public void Validate_BillingAppId_MustBeAHostName(string appId, bool usable) =>
        Assert.Equal(usable, !new ProxyOptions { BillingAppId = appId }.Validate().Any(p => p.StartsWith("BillingAppId must be a host name", StringComparison.Ordinal)));

    [Fact]
    public void Validate_SettlementOutOfRange_IsReportedUnderItsSection()
    {
        var options = new ProxyOptions { Settlement = new SettlementOptions { InitialRetryDelay = TimeSpan.FromSeconds(10), MaxRetryDelay = TimeSpan.FromSeconds(1) } };

        Assert.Contains(options.Validate(), p => p.StartsWith("Settlement:MaxRetryDelay must be between InitialRetryDelay", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(1, 1000)]
    [InlineData(2, 2000)]
    [InlineData(3, 4000)]
    [InlineData(6, 32000)]
    [InlineData(7, 60000)]
    [InlineData(500, 60000)]
    public void RetryDelay_DoublesUpToTheMaximum(int failures, int milliseconds) =>
        Assert.Equal(TimeSpan.FromMilliseconds(milliseconds), new SettlementOptions().RetryDelay(failures));
}
