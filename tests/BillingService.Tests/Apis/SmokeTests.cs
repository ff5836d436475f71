using System.Net;
using Gateway.BillingService.Tests.Support;

namespace Gateway.BillingService.Tests.Apis;

public sealed class SmokeTests(SqliteStackFixture fixture) : IClassFixture<SqliteStackFixture>
{
    [Fact]
    public async Task ReserveFinalize_Basic_Works()
    {
        var api = fixture.Shared.Api;
        var account = "acct-" + Guid.NewGuid().ToString("N");
        await api.CreditOkAsync(account, 1000);
        var id = await api.ReserveOkAsync(account, 300);
        var finalized = await api.FinalizeAsync(id, 250);
        Assert.Equal(HttpStatusCode.OK, finalized.Status);
        var acct = await api.AccountAsync(account);
        Assert.Equal(750, acct.Long("balance"));
        Assert.Equal(0, acct.Long("held"));
    }
}
