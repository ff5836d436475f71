using System.Net;
using Gateway.BillingService.Apis;
using Gateway.BillingService.Tests.Apis;
using Gateway.BillingService.Tests.Support;
using Gateway.ServiceDefaults.Dapr;
using Gateway.Testing;

namespace Gateway.BillingService.Tests.Hosting;

public sealed class StoreOutageTests
{
    [Fact]
    public async Task Requests_SidecarGone_Answer503AndTheServiceKeepsRunning()
    {
        await using var stack = await BillingStack.StartAsync(StateStoreKind.Sqlite, null, settings: new Dictionary<string, string?> { ["Billing:SweepInterval"] = "00:00:00.200" });
        var account = BillingApiScenarios.NewAccount();
        await stack.Api.CreditOkAsync(account, 100);
        var id = await stack.Api.ReserveOkAsync(account, 10);

        await stack.StopSidecarsAsync();
        var read = await stack.Api.GetAccountAsync(account);
        var finalize = await stack.Api.FinalizeAsync(id, 5);
        var reserve = await stack.Api.ReserveAsync(account, 5);
        await Task.Delay(500);
        using var alive = await stack.Api.Client.GetAsync("/alive");

        foreach (var answer in new[] { read, finalize, reserve })
        {
            Assert.True(answer.Status == HttpStatusCode.ServiceUnavailable, answer.ToString());
            Assert.Equal(BillingProblems.StoreUnavailableType, answer.ProblemType);
            Assert.Equal("1", answer.Headers.RetryAfter?.ToString());
        }

        Assert.Equal(HttpStatusCode.OK, alive.StatusCode);
        await Assert.ThrowsAsync<global::Dapr.DaprException>(() => stack.Replicas[0].Sweeper.SweepOnceAsync(default));
    }
}
