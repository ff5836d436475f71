using Gateway.PoolService.Services;

namespace Gateway.PoolService.Tests.Services;

public sealed class LeaseIdsTests
{
    [Fact]
    public void TryGrantTime_OfAVersion7Id_IsItsTimeToTheMillisecond()
    {
        var at = new DateTimeOffset(2026, 11, 21, 10, 0, 0, 123, TimeSpan.Zero).AddTicks(4567);

        Assert.True(LeaseIds.TryGrantTime(Guid.CreateVersion7(at).ToString(), out var grantedAt));
        Assert.Equal(new DateTimeOffset(2026, 11, 21, 10, 0, 0, 123, TimeSpan.Zero), grantedAt);
    }

    [Theory]
    [InlineData("not-a-guid")]
    [InlineData("")]
    [InlineData("d4b1c5a2-9f7e-4c1b-8a2d-3e4f5a6b7c8d")]
    public void TryGrantTime_OfAnythingElse_Fails(string leaseId) => Assert.False(LeaseIds.TryGrantTime(leaseId, out _));
}
