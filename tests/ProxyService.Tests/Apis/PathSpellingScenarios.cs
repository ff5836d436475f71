using Gateway.ProxyService.Tests.Support;

namespace Gateway.ProxyService.Tests.Apis;

/// <summary>
/// Issue #18, finding 1: every spelling of a submit the provider would accept is a billed submit,
/// and every spelling of a status query settles the task; spellings that hide a traversal are
/// refused and reach nobody. The stack's providers keep the default path matching (case
/// ignored, trailing slash ignored, repeated slashes collapsed); requests go out byte for byte.
/// </summary>
[Collection(SharedStackDefinition.Name)]
public sealed class PathSpellingScenarios(StackFixture fixture)
{
    private const string Body = """{"prompt":"a cat on a skateboard"}""";

    private ProxyStack Stack => fixture.Stack;

    /// <summary>The submit <c>POST /tasks</c>, spelled as callers may.</summary>
    public static TheoryData<string> SubmitSpellings =>
    [
        "/tasks/",
        "/Tasks",
        "/TASKS",
        "//tasks",
        "//Tasks//",
        "/ta%73ks",
        "/tasks?x=1",
    ];

    /// <summary>The status queries, spelled as callers may: <c>{id}</c> is the task's id.</summary>
    public static TheoryData<string, string> QuerySpellings => new()
    {
        { "GET", "/TASKS/{id}" },
        { "GET", "/Tasks/{id}/" },
        { "GET", "//tasks//{id}" },
        { "GET", "/Task-Status?taskId={id}" },
        { "GET", "/task-status/?taskId={id}" },
        { "POST", "/Tasks/Query/" },
    };

    /// <summary>Spellings of the submit path that hide something: refused, whatever they would decode to.</summary>
    public static TheoryData<string> HiddenSpellings =>
    [
        "/tasks%2F",
        "/tasks%2f..",
        "/%2e%2e/tasks/tasks",
        "/x/%2E%2E/tasks",
        "/./tasks",
        "/tasks/.",
        "/%2e/tasks",
        "/x/../tasks",
        "/tasks%5c",
        "/tasks%252F",
    ];

    [Theory]
    [MemberData(nameof(SubmitSpellings))]
    public async Task Submit_AnySpellingOfTheRoute_IsBilledLikeTheCanonicalOne(string path)
    {
        var (account, run) = (await Stack.NewAccountAsync(), ProxyCalls.NewRun());

        var reply = await SendAsync(RawProxyRequest.WithBody("POST", "/api/proxy/tasks" + path, Body, $"X-Thread-Id: {account}"), run);

        Assert.True(reply.Status == 200, $"{path}: {reply.Status} {reply.Body}");
        Assert.StartsWith("task_", reply.Json().GetProperty("taskId").GetString(), StringComparison.Ordinal);
        Assert.NotNull(reply.CallId());
        Assert.Equal("running", (await Stack.CallAsync(reply.CallId()!)).GetProperty("status").GetString());
        Assert.Equal(["credit", "hold"], (await Stack.EntriesAsync(account)).Select(e => e.Kind));
        Assert.Equal(100, (await Stack.AccountAsync(account)).GetProperty("held").GetInt64());
        Assert.Single(await Stack.ProviderRequestsAsync(run));
    }

    [Theory]
    [MemberData(nameof(SubmitSpellings))]
    public async Task Submit_AnySpellingOfTheRouteWithoutThreadId_IsRefusedLikeTheCanonicalOne(string path)
    {
        var run = ProxyCalls.NewRun();

        var reply = await SendAsync(RawProxyRequest.WithBody("POST", "/api/proxy/tasks" + path, Body), run);

        Assert.True(reply.Status == 400, $"{path}: {reply.Status} {reply.Body}");
        Assert.Equal("thread_id_required", reply.Json().GetProperty("code").GetString());
        Assert.Empty(await Stack.ProviderRequestsAsync(run));
    }

    [Theory]
    [MemberData(nameof(QuerySpellings))]
    public async Task Query_AnySpellingOfTheRoute_SettlesTheTaskOnce(string method, string path)
    {
        var (account, run) = (await Stack.NewAccountAsync(), ProxyCalls.NewRun());
        var submit = await Stack.SubmitAsync("tasks", run, account, fake: new Dictionary<string, string> { ["Steps"] = "0", ["Usage"] = "42" });
        var taskId = submit.Json.GetProperty("taskId").GetString()!;
        var target = "/api/proxy/tasks" + path.Replace("{id}", taskId, StringComparison.Ordinal);
        var request = method == "POST" ? RawProxyRequest.WithBody(method, target, $$"""{"taskId":"{{taskId}}"}""") : RawProxyRequest.Head(method, target);

        var first = await SendAsync(request, run);
        var again = await SendAsync(request, run);

        Assert.True(first.Status == 200, $"{method} {path}: {first.Status} {first.Body}");
        Assert.Equal("succeeded", first.Json().GetProperty("status").GetString());
        Assert.Equal(submit.CallId, first.CallId());
        Assert.Equal((200, submit.CallId, "true"), (again.Status, again.CallId(), again.Headers.GetValueOrDefault("X-Proxy-Replayed")));
        Assert.Equal(["credit", "hold", "release", "charge"], (await Stack.EntriesAsync(account)).Select(e => e.Kind));
        Assert.Equal(42, (await Stack.EntriesAsync(account))[^1].Amount);
        Assert.Equal("completed", (await Stack.CallAsync(submit.CallId!)).GetProperty("status").GetString());
        Assert.Equal(2, (await Stack.ProviderRequestsAsync(run)).Count);
    }

    [Theory]
    [MemberData(nameof(HiddenSpellings))]
    public async Task Submit_SpellingThatHidesATraversalOrAnEncoding_IsRefusedAndReachesNobody(string path)
    {
        var (account, run) = (await Stack.NewAccountAsync(), ProxyCalls.NewRun());

        var reply = await SendAsync(RawProxyRequest.WithBody("POST", "/api/proxy/tasks" + path, Body, $"X-Thread-Id: {account}"), run);

        Assert.True(reply.Status == 400, $"{path}: {reply.Status} {reply.Body}");
        Assert.StartsWith("application/problem+json", reply.ContentType, StringComparison.Ordinal);
        Assert.Empty(await Stack.ProviderRequestsAsync(run));
        Assert.Equal(["credit"], (await Stack.EntriesAsync(account)).Select(e => e.Kind));
    }

    private Task<Gateway.Testing.RawResponse> SendAsync(string request, string run) =>
        Stack.SendRawAsync(request.Replace("{run}", run, StringComparison.Ordinal));
}
