using System.Net.Http.Json;
using Gateway.ProxyService.Tests.Support;

namespace Gateway.ProxyService.Tests.Apis;

/// <summary>
/// Concurrent duplicates reach the provider once; concurrent pollers of a task wait for one
/// provider answer (issue #18) and settle once. Run on each store:
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

    /// <summary>How the 50 pollers ask: one of the query routes (spelled as the provider would accept it), or all of them in turn.</summary>
    public static TheoryData<string> PollSpellings => [.. Routes, "mixed"];

    private static readonly string[] Routes = ["GET /tasks/{id}", "GET /TASKS/{id}/", "GET /task-status?taskId={id}", "POST /tasks/query"];

    [Theory]
    [MemberData(nameof(PollSpellings))]
    public async Task Query_FiftyConcurrentPollersOfAFinishedTask_WaitForOneProviderAnswer_OneFinalizeAndTheExactCharge(string spelling)
    {
        var (account, run) = (await Stack.NewAccountAsync(), ProxyCalls.NewRun());
        var submit = await Stack.SubmitAsync("tasks", run, account, fake: new Dictionary<string, string> { ["Steps"] = "1", ["Usage"] = "42" });
        var taskId = submit.Json.GetProperty("taskId").GetString()!;
        var queued = await Stack.PollAsync("tasks", run, taskId);
        string[] spellings = spelling == "mixed" ? Routes : [spelling];
        using var start = new SemaphoreSlim(0);

        // From the second poll on the fake says "succeeded": the first of these to reach it sees the end.
        var polls = Enumerable.Range(0, 50).Select(async i =>
        {
            await start.WaitAsync();
            return await PollAsync(spellings[i % spellings.Length], run, taskId);
        }).ToList();
        start.Release(50);
        var replies = await Task.WhenAll(polls);

        // The journal: the submit, the queued poll, the terminal one, and at most one more that
        // was on its way before the end was known.
        var provider = await Stack.ProviderRequestsAsync(run);
        Assert.InRange(provider.Count - 3, 0, 1);
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

    private async Task<ProxyReply> PollAsync(string spelling, string run, string taskId)
    {
        var (method, path) = (spelling.Split(' ')[0], spelling.Split(' ')[1].Replace("{id}", taskId, StringComparison.Ordinal));
        using var request = new HttpRequestMessage(new HttpMethod(method), "/api/proxy/tasks" + path);
        if (method == "POST")
        {
            request.Content = JsonContent.Create(new { taskId });
        }

        request.Headers.Add("X-Fake-Run", run);
        using var response = await Stack.Proxy.SendAsync(request);
        return await ProxyReply.ReadAsync(response);
    }
}

[Collection(SharedStackDefinition.Name)]
public sealed class SqliteConcurrencyScenarios(StackFixture fixture) : ConcurrencyScenarios(fixture);

[Collection(OnPostgres.Name)]
public sealed class PostgresConcurrencyScenarios(PostgresStackFixture fixture) : ConcurrencyScenarios(fixture), IClassFixture<PostgresStackFixture>;
