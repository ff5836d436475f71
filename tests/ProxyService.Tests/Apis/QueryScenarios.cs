using System.Net.Http.Json;
using Gateway.ProxyService.Tests.Support;

namespace Gateway.ProxyService.Tests.Apis;

/// <summary>Section 5a, query: terminal statuses settle once; finished tasks are answered from the ledger.</summary>
[Collection(SharedStackDefinition.Name)]
public sealed class QueryScenarios(StackFixture fixture)
{
    private ProxyStack Stack => fixture.Stack;

    [Fact]
    public async Task Query_TaskSucceeds_ChargesTheSummedUsageOnce_ThenAnswersFromTheLedger()
    {
        var (account, run) = (await Stack.NewAccountAsync(), ProxyCalls.NewRun());
        var submit = await Stack.SubmitAsync("tasks", run, account, fake: new Dictionary<string, string> { ["Usage"] = "37" });
        var taskId = submit.Json.GetProperty("taskId").GetString()!;

        var queued = await Stack.PollAsync("tasks", run, taskId);
        var running = await Stack.PollAsync("tasks", run, taskId);
        var succeeded = await Stack.PollAsync("tasks", run, taskId);
        var later = new[] { await Stack.PollAsync("tasks", run, taskId), await Stack.PollAsync("tasks", run, taskId) };

        Assert.Equal(["queued", "running", "succeeded"], new[] { queued, running, succeeded }.Select(r => r.Json.GetProperty("status").GetString()));
        Assert.All([queued, running, succeeded, .. later], r => Assert.Equal(submit.CallId, r.CallId));
        Assert.False(succeeded.Replayed);
        Assert.All(later, r => Assert.True(r.Replayed));
        Assert.All(later, r => Assert.Equal(succeeded.Body, r.Body));

        // One submit and three polls reached the provider; the last two polls did not.
        Assert.Equal(4, (await Stack.ProviderRequestsAsync(run)).Count);

        // Usage is $.outputs[*].usage.units: 18 + 19.
        var balance = await Stack.AccountAsync(account);
        Assert.Equal(37, balance.GetProperty("charged").GetInt64());
        Assert.Equal(10_000 - 37, balance.GetProperty("balance").GetInt64());
        Assert.Equal(0, balance.GetProperty("held").GetInt64());
        Assert.Equal(["credit", "hold", "release", "charge"], (await Stack.EntriesAsync(account)).Select(e => e.Kind));
        var call = await Stack.CallAsync(submit.CallId!);
        Assert.Equal("completed", call.GetProperty("status").GetString());
        Assert.Equal("finalized", call.GetProperty("settlement").GetProperty("result").GetString());
        Assert.Equal(37, call.GetProperty("settlement").GetProperty("charged").GetInt64());
    }

    [Fact]
    public async Task Query_TaskFails_ReleasesTheHoldAndChargesNothing()
    {
        var (account, run) = (await Stack.NewAccountAsync(), ProxyCalls.NewRun());
        var submit = await Stack.SubmitAsync("tasks", run, account, fake: new Dictionary<string, string> { ["Outcome"] = "failure", ["Steps"] = "1" });

        var done = await Stack.PollUntilDoneAsync("tasks", run, submit.Json.GetProperty("taskId").GetString()!);

        Assert.Equal("failed", done.Json.GetProperty("status").GetString());
        var call = await Stack.CallAsync(submit.CallId!);
        Assert.Equal("failed", call.GetProperty("status").GetString());
        Assert.Equal("task_failed", call.GetProperty("outcome").GetString());
        Assert.Equal("task_failed", call.GetProperty("reason").GetString());
        var balance = await Stack.AccountAsync(account);
        Assert.Equal((0L, 0L, 10_000L), (balance.GetProperty("held").GetInt64(), balance.GetProperty("charged").GetInt64(), balance.GetProperty("balance").GetInt64()));
        Assert.Equal(["credit", "hold", "release"], (await Stack.EntriesAsync(account)).Select(e => e.Kind));
    }

    [Fact]
    public async Task Query_TaskIdInTheQueryString_IsTrackedAndSettled()
    {
        var (account, run) = (await Stack.NewAccountAsync(), ProxyCalls.NewRun());
        var submit = await Stack.SubmitAsync("tasks", run, account, fake: new Dictionary<string, string> { ["Steps"] = "0" });
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/proxy/tasks/task-status?taskId={submit.Json.GetProperty("taskId").GetString()}");
        request.Headers.Add("X-Fake-Run", run);

        using var response = await Stack.Proxy.SendAsync(request);
        var reply = await ProxyReply.ReadAsync(response);

        Assert.Equal("succeeded", reply.Json.GetProperty("status").GetString());
        Assert.Equal(submit.CallId, reply.CallId);
        Assert.Equal(42, (await Stack.AccountAsync(account)).GetProperty("charged").GetInt64());
    }

    [Fact]
    public async Task Query_TaskIdInTheBody_IsTrackedAndSettled()
    {
        var (account, run) = (await Stack.NewAccountAsync(), ProxyCalls.NewRun());
        var submit = await Stack.SubmitAsync("tasks", run, account, fake: new Dictionary<string, string> { ["Steps"] = "0" });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/proxy/tasks/tasks/query") { Content = JsonContent.Create(new { taskId = submit.Json.GetProperty("taskId").GetString() }) };
        request.Headers.Add("X-Fake-Run", run);

        using var response = await Stack.Proxy.SendAsync(request);
        var reply = await ProxyReply.ReadAsync(response);

        Assert.Equal("succeeded", reply.Json.GetProperty("status").GetString());
        Assert.Equal(submit.CallId, reply.CallId);
        Assert.Equal(42, (await Stack.AccountAsync(account)).GetProperty("charged").GetInt64());
    }

    [Theory]
    [InlineData("500")]
    [InlineData("429")]
    public async Task Query_FailedPoll_IsPassedOnAndChangesNothing(string misbehaviour)
    {
        var (account, run) = (await Stack.NewAccountAsync(), ProxyCalls.NewRun());
        var submit = await Stack.SubmitAsync("tasks", run, account, fake: new Dictionary<string, string> { ["Steps"] = "0" });
        var taskId = submit.Json.GetProperty("taskId").GetString()!;

        var failed = await Stack.PollAsync("tasks", run, taskId, new Dictionary<string, string> { ["Poll"] = misbehaviour });
        var afterFailure = await Stack.CallAsync(submit.CallId!);
        var done = await Stack.PollAsync("tasks", run, taskId);

        Assert.Equal(int.Parse(misbehaviour, System.Globalization.CultureInfo.InvariantCulture), failed.Status);
        Assert.Equal(submit.CallId, failed.CallId);
        Assert.Equal("running", afterFailure.GetProperty("status").GetString());
        Assert.Equal("succeeded", done.Json.GetProperty("status").GetString());
        Assert.Equal(42, (await Stack.AccountAsync(account)).GetProperty("charged").GetInt64());
    }

    [Fact]
    public async Task Query_ProviderHangsOnAPoll_Answers504AndChangesNothing()
    {
        var (account, run) = (await Stack.NewAccountAsync(), ProxyCalls.NewRun());
        var submit = await Stack.SubmitAsync("tasks", run, account, fake: new Dictionary<string, string> { ["Steps"] = "0" });

        var hung = await Stack.PollAsync("tasks", run, submit.Json.GetProperty("taskId").GetString()!, new Dictionary<string, string> { ["Poll"] = "hang" });

        Assert.Equal(504, hung.Status);
        Assert.Equal(submit.CallId, hung.CallId);
        Assert.Equal("running", (await Stack.CallAsync(submit.CallId!)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task Query_TaskTheProxyDidNotStart_IsForwardedUntracked()
    {
        var reply = await Stack.PollAsync("tasks", ProxyCalls.NewRun(), "task_nobody_knows");

        Assert.Equal(404, reply.Status);
        Assert.Equal("TASK_NOT_FOUND", reply.Json.GetProperty("errorCode").GetString());
        Assert.Null(reply.CallId);
    }

    [Fact]
    public async Task Query_FixedPrice_ChargesTheReservedAmountWhateverTheUsage()
    {
        var (account, run) = (await Stack.NewAccountAsync(), ProxyCalls.NewRun());
        var submit = await Stack.SubmitAsync("fixedprice", run, account, fake: new Dictionary<string, string> { ["Steps"] = "0", ["Usage"] = "7" });

        await Stack.PollUntilDoneAsync("fixedprice", run, submit.Json.GetProperty("taskId").GetString()!);

        Assert.Equal(30, (await Stack.AccountAsync(account)).GetProperty("charged").GetInt64());
    }

    [Fact]
    public async Task Query_QueryParameterCredential_IsInjectedAndTheClientsDropped()
    {
        var (account, run) = (await Stack.NewAccountAsync(), ProxyCalls.NewRun());
        var submit = await Stack.SubmitAsync("optional", run, account, fake: new Dictionary<string, string> { ["Steps"] = "0", ["Usage"] = "12" });
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/api/proxy/optional/tasks/{submit.Json.GetProperty("taskId").GetString()}?key=client-supplied&x=1");
        request.Headers.Add("X-Fake-Run", run);

        using var response = await Stack.Proxy.SendAsync(request);
        var reply = await ProxyReply.ReadAsync(response);

        Assert.Equal("succeeded", reply.Json.GetProperty("status").GetString());
        var seen = await Stack.ProviderRequestsAsync(run);
        Assert.All(seen, r => Assert.Contains("key=" + ProxyStack.ProviderKey, r.GetProperty("query").GetString(), StringComparison.Ordinal));
        Assert.DoesNotContain(seen, r => r.GetProperty("query").GetString()!.Contains("client-supplied", StringComparison.Ordinal));
        Assert.DoesNotContain(seen, r => r.GetProperty("headers").TryGetProperty("authorization", out _));
        Assert.Equal(12, (await Stack.AccountAsync(account)).GetProperty("charged").GetInt64());
    }
}
