using System.Text.Json;
using Gateway.ProxyService.Tests.Support;

namespace Gateway.ProxyService.Tests.Apis;

/// <summary>Section 5a, submit: every outcome, through real sidecars, BillingService and the fake provider.</summary>
[Collection(SharedStackDefinition.Name)]
public sealed class SubmitScenarios(StackFixture fixture)
{
    private ProxyStack Stack => fixture.Stack;

    [Fact]
    public async Task Submit_ProviderAcceptsTheTask_HoldsTheReservationAndRecordsARunningCall()
    {
        var (account, run) = (await Stack.NewAccountAsync(), ProxyCalls.NewRun());

        var reply = await Stack.SubmitAsync("tasks", run, account);

        Assert.Equal(200, reply.Status);
        Assert.StartsWith("task_", reply.Json.GetProperty("taskId").GetString(), StringComparison.Ordinal);
        Assert.NotNull(reply.CallId);
        Assert.False(reply.Replayed);
        var call = await Stack.CallAsync(reply.CallId);
        Assert.Equal("running", call.GetProperty("status").GetString());
        Assert.Equal(reply.Json.GetProperty("taskId").GetString(), call.GetProperty("taskId").GetString());
        Assert.Equal(account, call.GetProperty("accountId").GetString());
        Assert.StartsWith("rsv_", call.GetProperty("billing").GetProperty("reservationId").GetString(), StringComparison.Ordinal);
        var balance = await Stack.AccountAsync(account);
        Assert.Equal(100, balance.GetProperty("held").GetInt64());
        Assert.Single(await Stack.ProviderRequestsAsync(run));
    }

    [Theory]
    [InlineData("500", 500, "error_http_500")]
    [InlineData("429", 429, "error_http_429")]
    [InlineData("error-code", 200, "QUOTA_EXCEEDED")]
    [InlineData("no-task-id", 200, "no_task_id")]
    public async Task Submit_ProviderFails_PassesItsAnswerOnAndReleasesTheHoldWithTheReason(string misbehaviour, int status, string reason)
    {
        var (account, run) = (await Stack.NewAccountAsync(), ProxyCalls.NewRun());

        var reply = await Stack.SubmitAsync("tasks", run, account, fake: new Dictionary<string, string> { ["Submit"] = misbehaviour });

        Assert.Equal(status, reply.Status);
        Assert.NotNull(reply.CallId);
        await AssertReleasedAsync(account, reply.CallId, reason);
    }

    [Fact]
    public async Task Submit_ProviderUnreachable_Answers502AndReleasesAsProviderUnreachable()
    {
        var account = await Stack.NewAccountAsync();

        var reply = await Stack.SubmitAsync("dead", ProxyCalls.NewRun(), account);

        Assert.Equal(502, reply.Status);
        Assert.Equal("provider_unreachable", reply.Json.GetProperty("code").GetString());
        await AssertReleasedAsync(account, reply.CallId!, "provider_unreachable");
    }

    [Fact]
    public async Task Submit_ProviderHangs_Answers504AfterItsTimeoutAndReleases()
    {
        var account = await Stack.NewAccountAsync();
        var started = DateTime.UtcNow;

        var reply = await Stack.SubmitAsync("tasks", ProxyCalls.NewRun(), account, fake: new Dictionary<string, string> { ["Submit"] = "hang" });

        Assert.Equal(504, reply.Status);
        Assert.InRange(DateTime.UtcNow - started, TimeSpan.FromSeconds(2.5), TimeSpan.FromSeconds(20));
        await AssertReleasedAsync(account, reply.CallId!, "provider_unreachable");
    }

    [Fact]
    public async Task Submit_InsufficientFunds_PassesBillings402AndNeverCallsTheProvider()
    {
        var (account, run) = (await Stack.NewAccountAsync(balance: 50), ProxyCalls.NewRun());

        var reply = await Stack.SubmitAsync("tasks", run, account);

        Assert.Equal(402, reply.Status);
        Assert.Equal("urn:gateway:problem:billing:insufficient-funds", reply.Json.GetProperty("type").GetString());
        Assert.NotNull(reply.CallId);
        Assert.Empty(await Stack.ProviderRequestsAsync(run));
        var call = await Stack.CallAsync(reply.CallId);
        Assert.Equal("rejected", call.GetProperty("status").GetString());
        Assert.Equal("billing_refused_402", call.GetProperty("reason").GetString());
        Assert.Equal(0, (await Stack.AccountAsync(account)).GetProperty("held").GetInt64());
    }

    [Fact]
    public async Task Submit_UnknownAccount_PassesBillingsRefusalAndNeverCallsTheProvider()
    {
        var run = ProxyCalls.NewRun();

        var reply = await Stack.SubmitAsync("tasks", run, "never-credited-" + Guid.NewGuid().ToString("N")[..8]);

        Assert.Equal(400, reply.Status);
        Assert.Equal("unknown_account", reply.Json.GetProperty("code").GetString());
        Assert.Empty(await Stack.ProviderRequestsAsync(run));
    }

    [Fact]
    public async Task Submit_RejectedKey_IsFreedSoTheSameKeyWorksAfterATopUp()
    {
        var (account, run, key) = (await Stack.NewAccountAsync(balance: 50), ProxyCalls.NewRun(), Guid.NewGuid().ToString());

        var refused = await Stack.SubmitAsync("tasks", run, account, key);
        await Stack.CreditAsync(account, 1000);
        var accepted = await Stack.SubmitAsync("tasks", run, account, key);

        Assert.Equal(402, refused.Status);
        Assert.Equal(200, accepted.Status);
        Assert.NotEqual(refused.CallId, accepted.CallId);
        Assert.False(accepted.Replayed);
        Assert.Single(await Stack.ProviderRequestsAsync(run));
    }

    [Theory]
    [InlineData(null, "thread_id_required")]
    [InlineData("has spaces", "invalid_header")]
    [InlineData("-starts-with-dash", "invalid_header")]
    public async Task Submit_BillingRequiredWithoutAValidThreadId_Is400AndNeverCallsTheProvider(string? threadId, string code)
    {
        var run = ProxyCalls.NewRun();

        var reply = await Stack.SubmitAsync("tasks", run, threadId);

        Assert.Equal(400, reply.Status);
        Assert.Equal(code, reply.Json.GetProperty("code").GetString());
        Assert.Empty(await Stack.ProviderRequestsAsync(run));
    }

    [Fact]
    public async Task Submit_InvalidIdempotencyKey_Is400()
    {
        var reply = await Stack.SubmitAsync("tasks", ProxyCalls.NewRun(), await Stack.NewAccountAsync(), idempotencyKey: "has spaces in it");

        Assert.Equal(400, reply.Status);
        Assert.Equal("invalid_header", reply.Json.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Submit_OptionalBillingWithoutAnAccount_RunsUnbilledAndSaysWhy()
    {
        var run = ProxyCalls.NewRun();

        var reply = await Stack.SubmitAsync("optional", run, account: null, fake: new Dictionary<string, string> { ["Steps"] = "0" });
        var done = await Stack.PollUntilDoneAsync("optional", run, reply.Json.GetProperty("taskId").GetString()!);

        Assert.Equal(200, reply.Status);
        Assert.Equal("succeeded", done.Json.GetProperty("status").GetString());
        var call = await Stack.CallAsync(reply.CallId!);
        Assert.Equal("completed", call.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.Null, call.GetProperty("billing").GetProperty("reservationId").ValueKind);
        Assert.Equal("no_account", call.GetProperty("billing").GetProperty("unbilledReason").GetString());
        Assert.Equal(JsonValueKind.Null, call.GetProperty("settlement").ValueKind);
    }

    [Fact]
    public async Task Submit_BillingOff_RunsUnbilledEvenWithAnAccount()
    {
        var account = await Stack.NewAccountAsync();

        var reply = await Stack.SubmitAsync("free", ProxyCalls.NewRun(), account);

        Assert.Equal(200, reply.Status);
        var call = await Stack.CallAsync(reply.CallId!);
        Assert.Equal("billing_off", call.GetProperty("billing").GetProperty("unbilledReason").GetString());
        Assert.Equal(0, (await Stack.AccountAsync(account)).GetProperty("held").GetInt64());
    }

    [Theory]
    [InlineData("nosuchprovider")]
    [InlineData("disabled")]
    public async Task Submit_UnknownOrDisabledProvider_Is404Problem(string provider)
    {
        var run = ProxyCalls.NewRun();

        var reply = await Stack.SubmitAsync(provider, run, await Stack.NewAccountAsync());

        Assert.Equal(404, reply.Status);
        Assert.Equal("application/problem+json", reply.Headers["Content-Type"]);
        Assert.Equal("unknown_provider", reply.Json.GetProperty("code").GetString());
        Assert.Empty(await Stack.ProviderRequestsAsync(run));
    }

    [Fact]
    public async Task Submit_SameKeySameRequest_ReplaysTheStoredAnswerWithTheSameCallId()
    {
        var (account, run, key) = (await Stack.NewAccountAsync(), ProxyCalls.NewRun(), Guid.NewGuid().ToString());

        var first = await Stack.SubmitAsync("tasks", run, account, key);
        var second = await Stack.SubmitAsync("tasks", run, account, key);

        Assert.Equal(200, second.Status);
        Assert.Equal(first.Body, second.Body);
        Assert.Equal(first.CallId, second.CallId);
        Assert.False(first.Replayed);
        Assert.True(second.Replayed);
        Assert.Single(await Stack.ProviderRequestsAsync(run));
        Assert.Single(await Stack.EntriesAsync(account), e => e.Kind == "hold");
    }

    [Fact]
    public async Task Submit_SameKeyDifferentBody_Is409AndNeverCallsTheProviderAgain()
    {
        var (account, run, key) = (await Stack.NewAccountAsync(), ProxyCalls.NewRun(), Guid.NewGuid().ToString());

        var first = await Stack.SubmitAsync("tasks", run, account, key);
        var second = await Stack.SubmitAsync("tasks", run, account, key, body: """{"prompt":"something else"}""");

        Assert.Equal(409, second.Status);
        Assert.Equal("idempotency_conflict", second.Json.GetProperty("code").GetString());
        Assert.Equal(first.CallId, second.CallId);
        Assert.Single(await Stack.ProviderRequestsAsync(run));
    }

    private async Task AssertReleasedAsync(string account, string callId, string reason)
    {
        var call = await Stack.CallAsync(callId);
        Assert.Equal("failed", call.GetProperty("status").GetString());
        Assert.Equal("submit_failed", call.GetProperty("outcome").GetString());
        Assert.Equal(reason, call.GetProperty("reason").GetString());
        var settlement = call.GetProperty("settlement");
        Assert.Equal("release", settlement.GetProperty("kind").GetString());
        Assert.Equal("released", settlement.GetProperty("result").GetString());
        var balance = await Stack.AccountAsync(account);
        Assert.Equal(0, balance.GetProperty("held").GetInt64());
        Assert.Equal(0, balance.GetProperty("charged").GetInt64());
        var entries = await Stack.EntriesAsync(account);
        Assert.Equal(["credit", "hold", "release"], entries.Select(e => e.Kind));
        Assert.Equal(reason, entries[^1].Reason);
    }
}
