using Gateway.BillingService.Infrastructure;
using Gateway.BillingService.Model;
using Gateway.BillingService.Tests.Support;
using Microsoft.Extensions.Options;

namespace Gateway.BillingService.Tests.Infrastructure;

public sealed class BillingOptionsTests
{
    [Fact]
    public void Validate_Defaults_AreValid() => Assert.Empty(new BillingOptions().Validate());

    private static readonly (string Setting, Action<BillingOptions> Change)[] s_invalidOptions =
    [
        ("StoreName", o => o.StoreName = " "),
        ("MaxReservationTtl", o => o.MaxReservationTtl = TimeSpan.FromDays(31)),
        ("DefaultReservationTtl", o => o.DefaultReservationTtl = TimeSpan.FromDays(2)),
        ("DefaultReservationTtl", o => o.DefaultReservationTtl = TimeSpan.Zero),
        ("SweepInterval", o => o.SweepInterval = TimeSpan.FromMilliseconds(99)),
        ("SweepGrace", o => o.SweepGrace = TimeSpan.Zero),
        ("InitialSweepLookback", o => o.InitialSweepLookback = TimeSpan.FromSeconds(-1)),
        ("MaxBucketsPerSweep", o => o.MaxBucketsPerSweep = 0),
        ("ExpiryShards", o => o.ExpiryShards = 0),
        ("ExpiryShards", o => o.ExpiryShards = 257),
        ("MaxWriteAttempts", o => o.MaxWriteAttempts = 0),
        ("OperatorToken", o => o.OperatorToken = "short-token-15ch"[..15]),
        ("OperatorToken", o => o.OperatorToken = "                "),
        ("OperatorToken", o => o.OperatorToken = "operator token with spaces"),
        ("OperatorToken", o => o.OperatorToken = "operator-token-\u00e9-non-ascii"),
    ];

    public static TheoryData<string, int> InvalidOptions()
    {
        var data = new TheoryData<string, int>();
        for (var i = 0; i < s_invalidOptions.Length; i++)
        {
            data.Add(s_invalidOptions[i].Setting, i);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void Validate_OutOfRange_NamesTheSetting(string setting, int row)
    {
        var options = new BillingOptions();
        s_invalidOptions[row].Change(options);

        Assert.Contains(options.Validate(), p => p.Contains(setting, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(null, false)]
    [InlineData("", false)]
    [InlineData("sixteen-chars-ok", true)]
    public void OperatorToken_UnsetOrEmpty_TurnsTheOperatorEndpointsOff(string? token, bool enabled)
    {
        var options = new BillingOptions { OperatorToken = token };

        Assert.Empty(options.Validate());
        Assert.Equal(enabled, options.OperatorEndpointsEnabled);
    }

    [Fact]
    public async Task Start_WithInvalidOptions_RefusesToStart()
    {
        await using var replica = new BillingReplica(1, null, new Dictionary<string, string?> { ["Billing:ExpiryShards"] = "0" });

        var error = Assert.Throws<OptionsValidationException>(() => replica.Services);
        Assert.Contains("ExpiryShards", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ShardOf_IsStableAndInRange()
    {
        // Persisted in keys: must never change between processes or releases.
        Assert.Equal(ExpiryBuckets.ShardOf("acct-1", 16), ExpiryBuckets.ShardOf("acct-1", 16));
        Assert.All(Enumerable.Range(0, 200), i => Assert.InRange(ExpiryBuckets.ShardOf("a" + i, 7), 0, 6));
        Assert.Equal(16, Enumerable.Range(0, 400).Select(i => ExpiryBuckets.ShardOf("a" + i, 16)).Distinct().Count());
    }

    [Fact]
    public void StartOf_FloorsToTheBucketWidth()
    {
        var instant = new DateTimeOffset(2030, 1, 2, 3, 4, 59, 999, TimeSpan.FromHours(2));
        Assert.Equal(new DateTimeOffset(2030, 1, 2, 1, 4, 50, TimeSpan.Zero), ExpiryBuckets.StartOf(instant));
        Assert.Equal("expiry|20300102010450|007", StateKeys.ExpiryBucket(ExpiryBuckets.StartOf(instant), 7));
    }
}
