using Gateway.ProxyService.Tests.Support;

namespace Gateway.ProxyService.Tests.Apis;

/// <summary>
/// BillingService down: a required reservation is refused without calling the provider, an
/// optional one runs unbilled, and a finalize is retried until it lands, once, also across a proxy
/// restart. These tests stop BillingService and restart the proxy: each class has a stack of its own.
/// </summary>
public abstract class SettlementRecoveryScenarios(ProxyStackFixture fixture) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private ProxyStack Stack => fixture.Stack;

    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Every test leaves billing and the proxy running for the next one.</summary>
    public async Task DisposeAsync()
    {
        if (!await AnswersAsync(Stack.Billing))
        {
            await Stack.StartBillingAsync();
        }

        if (!await AnswersAsync(Stack.Proxy))
        {
            await Stack.StartProxyAsync();
        }
    }

    [Fact]
    public async Task Finalize_BillingDown_ShowsFinalizePendingAndLandsOnceWhenBillingReturns()
    {
        var (account, run) = (await Stack.NewAccountAsync(), ProxyCalls.NewRun());
        var submit = await Stack.SubmitAsync("tasks", run, account, fake: new Dictionary<string, string> { ["Steps"] = "1", ["Usage"] = "42" });
        var taskId = submit.Json.GetProperty("taskId").GetString()!;
        await Stack.PollAsync("tasks", run, taskId);

        await Stack.StopBillingAsync();
        var ended = await Stack.PollAsync("tasks", run, taskId);
        var again = await Stack.PollAsync("tasks", run, taskId);
        await ProxyCalls.EventuallyAsync(async () => (await Stack.CallAsync(submit.CallId!)).GetProperty("settlement").GetProperty("failures").GetInt32() >= 3, Patience, "three failed attempts");
        var pending = await Stack.CallAsync(submit.CallId!);
        await Stack.StartBillingAsync();
        await ProxyCalls.EventuallyAsync(async () => (await Stack.CallAsync(submit.CallId!)).GetProperty("status").GetString() == "completed", Patience, "the charge to land");

        // The caller got the task's end even with billing down, and the second poll was answered from the ledger.
        Assert.Equal("succeeded", ended.Json.GetProperty("status").GetString());
        Assert.True(again.Replayed);
        Assert.Equal("finalize_pending", pending.GetProperty("status").GetString());
        Assert.Equal(42, pending.GetProperty("settlement").GetProperty("amount").GetInt64());
        Assert.False(string.IsNullOrEmpty(pending.GetProperty("settlement").GetProperty("lastError").GetString()));
        Assert.NotNull(pending.GetProperty("settlement").GetProperty("nextAttemptAt").GetString());
        await AssertChargedOnceAsync(account, 42);
    }

    [Fact]
    public async Task Finalize_PendingWhenTheProxyRestarts_IsFoundAgainAndLandsOnce()
    {
        var (account, run) = (await Stack.NewAccountAsync(), ProxyCalls.NewRun());
        var submit = await Stack.SubmitAsync("tasks", run, account, fake: new Dictionary<string, string> { ["Steps"] = "0", ["Usage"] = "17" });
        await Stack.StopBillingAsync();
        await Stack.PollAsync("tasks", run, submit.Json.GetProperty("taskId").GetString()!);
        Assert.Equal("finalize_pending", (await Stack.CallAsync(submit.CallId!)).GetProperty("status").GetString());

        await Stack.StopProxyAsync();
        await Stack.StartBillingAsync();
        await Stack.StartProxyAsync();
        await ProxyCalls.EventuallyAsync(async () => (await Stack.CallAsync(submit.CallId!)).GetProperty("status").GetString() == "completed", Patience, "the charge to land after the restart");

        await AssertChargedOnceAsync(account, 17);
    }

    [Fact]
    public async Task Release_BillingDownAfterASubmitFailure_IsRetriedUntilItLands()
    {
        var (account, run) = (await Stack.NewAccountAsync(), ProxyCalls.NewRun());

        // Billing goes away while the provider thinks: the reservation is made, the release cannot be.
        var submitting = Stack.SubmitAsync("tasks", run, account, fake: new Dictionary<string, string> { ["Submit"] = "delay:1500,500" });
        await ProxyCalls.EventuallyAsync(async () => (await Stack.AccountAsync(account)).GetProperty("held").GetInt64() == 100, Patience, "the hold");
        await Stack.StopBillingAsync();
        var failed = await submitting;
        await Stack.StartBillingAsync();
        await ProxyCalls.EventuallyAsync(async () => (await Stack.CallAsync(failed.CallId!)).GetProperty("status").GetString() == "failed", Patience, "the release to land");

        Assert.Equal(500, failed.Status);
        var call = await Stack.CallAsync(failed.CallId!);
        Assert.Equal("error_http_500", call.GetProperty("reason").GetString());
        Assert.True(call.GetProperty("settlement").GetProperty("failures").GetInt32() >= 1);
        var balance = await Stack.AccountAsync(account);
        Assert.Equal((0L, 0L), (balance.GetProperty("held").GetInt64(), balance.GetProperty("charged").GetInt64()));
    }

    [Fact]
    public async Task Submit_BillingDown_RequiredIs503WithoutCallingTheProvider_OptionalRunsUnbilled_TheKeyStaysUsable()
    {
        var (account, run, key) = (await Stack.NewAccountAsync(), ProxyCalls.NewRun(), Guid.NewGuid().ToString());
        await Stack.StopBillingAsync();

        var required = await Stack.SubmitAsync("tasks", run, account, key);
        var optional = await Stack.SubmitAsync("optional", run, account);
        var providerSawDuringOutage = await Stack.ProviderRequestsAsync(run);
        await Stack.StartBillingAsync();
        var retried = await Stack.SubmitAsync("tasks", run, account, key);

        Assert.Equal(503, required.Status);
        Assert.Equal("billing_unavailable", required.Json.GetProperty("code").GetString());
        Assert.Equal("1", required.Headers["Retry-After"]);
        Assert.Equal("rejected", (await Stack.CallAsync(required.CallId!)).GetProperty("status").GetString());
        Assert.Equal(200, optional.Status);
        Assert.Equal("billing_unavailable", (await Stack.CallAsync(optional.CallId!)).GetProperty("billing").GetProperty("unbilledReason").GetString());
        Assert.Single(providerSawDuringOutage);
        Assert.Equal(200, retried.Status);
        Assert.NotEqual(required.CallId, retried.CallId);
        Assert.Equal(100, (await Stack.AccountAsync(account)).GetProperty("held").GetInt64());
    }

    private async Task AssertChargedOnceAsync(string account, long amount)
    {
        var entries = await Stack.EntriesAsync(account);
        Assert.Equal(["credit", "hold", "release", "charge"], entries.Select(e => e.Kind));
        Assert.Equal(amount, entries[^1].Amount);
        var balance = await Stack.AccountAsync(account);
        Assert.Equal((10_000L - amount, 0L, amount), (balance.GetProperty("balance").GetInt64(), balance.GetProperty("held").GetInt64(), balance.GetProperty("charged").GetInt64()));
    }

    private static async Task<bool> AnswersAsync(HttpClient client)
    {
        try
        {
            using var response = await client.GetAsync(new Uri("/alive", UriKind.Relative));
            return response.IsSuccessStatusCode;
        }
        catch (HttpRequestException)
        {
            return false;
        }
    }
}

public sealed class SqliteSettlementRecoveryScenarios(StackFixture fixture) : SettlementRecoveryScenarios(fixture), IClassFixture<StackFixture>;

[Collection(OnPostgres.Name)]
public sealed class PostgresSettlementRecoveryScenarios(PostgresStackFixture fixture) : SettlementRecoveryScenarios(fixture), IClassFixture<PostgresStackFixture>;
