using Gateway.ProxyService.Tests.Support;

namespace Gateway.ProxyService.Tests.Apis;

/// <summary>
/// Concurrent duplicates reach the provider once; concurrent pollers settle once. Run on each store:
/// only its conditional writes stop two requests from both claiming a key or finalizing a call.
/// </summary>
public abstract class ConcurrencyScenarios(ProxyStackFixture fixture)
{
    private ProxyStack Stack => fixture.Stack;

    [Fact]
    public async Task Submit_TwentyConcurrentDuplicates_OneUpstreamCallOneReservation_AllGetTheSameAnswer()
    {
        var (account, run, key) = (await Stack.NewAccountAsync(), ProxyCalls.NewRun(), Guid.NewGuid().ToString());
        using var start = new SemaphoreSlim(0);

        // The provider answers slowly, so the duplicates arrive while the first is still in flight.
        var submits = Enumerable.Range(0, 20).Select(async _ =>
        {
            await start.WaitAsync();
            return await Stack.SubmitAsync("tasks", run, account, key, fake: new Dictionary<string, string> { ["Submit"] = "delay:500" });
        }).ToList();
        start.Release(20);
        var replies = await Task.WhenAll(submits);

        Assert.All(replies, r => Assert.True(r.Status == 200, $"{r.Status} {r.Body}"));
        Assert.Single(replies.Select(r => r.Body).Distinct());
        Assert.Single(replies.Select(r => r.CallId).Distinct());
        Assert.Single(replies, r => !r.Replayed);
        Assert.Single(await Stack.ProviderRequestsAsync(run));
        Assert.Single(await Stack.EntriesAsync(account), e => e.Kind == "hold");
        Assert.Equal(100, (await Stack.AccountAsync(account)).GetProperty("held").GetInt64());
    }

    [Fact]
    public async Task Query_FiftyConcurrentPollersOfAFinishingTask_OneFinalizeAndTheExactCharge()
    {
        var (account, run) = (await Stack.NewAccountAsync(), ProxyCalls.NewRun());
        var submit = await Stack.SubmitAsync("tasks", run, account, fake: new Dictionary<string, string> { ["Steps"] = "1", ["Usage"] = "42" });
        var taskId = submit.Json.GetProperty("taskId").GetString()!;
        var queued = await Stack.PollAsync("tasks", run, taskId);
        using var start = new SemaphoreSlim(0);

        // From the second poll on the fake says "succeeded": every one of these sees the end.
        var polls = Enumerable.Range(0, 50).Select(async _ =>
        {
            await start.WaitAsync();
            return await Stack.PollAsync("tasks", run, taskId);
        }).ToList();
        start.Release(50);
        var replies = await Task.WhenAll(polls);

        // The pollers raced: several reached the provider and saw the end before any recorded it.
        var racers = (await Stack.ProviderRequestsAsync(run)).Count - 2;
        Assert.True(racers > 1, $"only {racers} poll(s) reached the provider");
        Assert.Equal("queued", queued.Json.GetProperty("status").GetString());
        Assert.All(replies, r => Assert.True(r.Status == 200, $"{r.Status} {r.Body}"));
        Assert.All(replies, r => Assert.Equal("succeeded", r.Json.GetProperty("status").GetString()));
        Assert.All(replies, r => Assert.Equal(submit.CallId, r.CallId));
        var entries = await Stack.EntriesAsync(account);
        Assert.Equal(["credit", "hold", "release", "charge"], entries.Select(e => e.Kind));
        Assert.Equal(42, entries[^1].Amount);
        var balance = await Stack.AccountAsync(account);
        Assert.Equal((10_000L - 42, 0L, 42L), (balance.GetProperty("balance").GetInt64(), balance.GetProperty("held").GetInt64(), balance.GetProperty("charged").GetInt64()));
        var call = await Stack.CallAsync(submit.CallId!);
        Assert.Equal("completed", call.GetProperty("status").GetString());
        Assert.Equal(0, call.GetProperty("settlement").GetProperty("failures").GetInt32());
    }
}

[Collection(SharedStackDefinition.Name)]
public sealed class SqliteConcurrencyScenarios(StackFixture fixture) : ConcurrencyScenarios(fixture);

[Collection(OnPostgres.Name)]
public sealed class PostgresConcurrencyScenarios(PostgresStackFixture fixture) : ConcurrencyScenarios(fixture), IClassFixture<PostgresStackFixture>;
