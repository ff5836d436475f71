using System.Net.Http.Json;
using System.Text.Json;
using Gateway.FakeOpenAiBackend.Tests.Support;

namespace Gateway.FakeOpenAiBackend.Tests.Wire;

/// <summary><c>/_fake</c>: the request journal and the instance behaviour, as tests of the gateway will use them.</summary>
public sealed class ControlApiTests(FakeBackendFixture fake) : IClassFixture<FakeBackendFixture>, IAsyncLifetime
{
    private static readonly Uri Behavior = new("/_fake/behavior", UriKind.Relative);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => (await fake.Http.DeleteAsync(Behavior)).EnsureSuccessStatusCode();

    [Fact]
    public async Task Requests_ListWhatArrivedForTheRun()
    {
        var run = FakeBackendFixture.NewRun();
        var request = fake.Post("/v1/chat/completions", """{"model":"gpt-4o","messages":[{"role":"user","content":"Hi"}]}""", run, ("X-Custom", "yes"));
        (await fake.Http.SendAsync(request)).Dispose();
        (await fake.Http.SendAsync(fake.Post("/v1/embeddings", """{"model":"gpt-4o","input":"Hi"}""", run, ("x-fake-behavior", "500")))).Dispose();
        (await fake.Http.SendAsync(fake.Post("/v1/embeddings", """{"model":"gpt-4o","input":"Hi"}""", FakeBackendFixture.NewRun()))).Dispose();

        var requests = await fake.RequestsAsync(run);

        Assert.Equal(2, requests.Length);
        var chat = requests[0];
        Assert.Equal(("POST", "/v1/chat/completions", "gpt-4o", run), (Text(chat, "method"), Text(chat, "path"), Text(chat, "model"), Text(chat, "run")));
        Assert.Equal("Hi", chat.GetProperty("body").GetProperty("messages")[0].GetProperty("content").GetString());
        Assert.Equal("yes", chat.GetProperty("headers").GetProperty("x-custom").GetString());
        Assert.Equal("Bearer sk-any", Text(chat, "authorization"));
        Assert.Equal((200, false, JsonValueKind.Null), (chat.GetProperty("status").GetInt32(), chat.GetProperty("aborted").GetBoolean(), chat.GetProperty("behavior").ValueKind));
        Assert.Equal((500, "500 (header)"), (requests[1].GetProperty("status").GetInt32(), Text(requests[1], "behavior")));
        Assert.True(requests[0].GetProperty("sequence").GetInt64() < requests[1].GetProperty("sequence").GetInt64());
    }

    [Fact]
    public async Task Behavior_SetForTwoRequests_AppliesToTheNextTwoThenClearsItself()
    {
        using var set = await fake.Http.PostAsJsonAsync(Behavior, new { behavior = "503", times = 2 });
        Assert.Equal("""{"behavior":"503","remaining":2}""", await set.Content.ReadAsStringAsync());

        var run = FakeBackendFixture.NewRun();
        using var first = await fake.Http.SendAsync(fake.Post("/v1/embeddings", """{"model":"gpt-4o","input":"Hi"}""", run));
        var state = await fake.Http.GetStringAsync(Behavior);
        using var second = await fake.Http.SendAsync(fake.Post("/v1/embeddings", """{"model":"gpt-4o","input":"Hi"}""", run));
        using var third = await fake.Http.SendAsync(fake.Post("/v1/embeddings", """{"model":"gpt-4o","input":"Hi"}""", run));
        var journaled = await fake.RequestsAsync(run);

        Assert.Equal("""{"behavior":"503","remaining":1}""", state);
        Assert.Equal((503, 503, 200), ((int)first.StatusCode, (int)second.StatusCode, (int)third.StatusCode));
        Assert.Equal(["503 (instance)", "503 (instance)", null], journaled.Select(r => Text(r, "behavior")));
        Assert.Equal("""{"behavior":null,"remaining":null}""", await fake.Http.GetStringAsync(Behavior));
    }

    [Fact]
    public async Task Behavior_HeaderOk_OverridesTheInstanceBehavior()
    {
        (await fake.Http.PostAsJsonAsync(Behavior, new { behavior = "503" })).EnsureSuccessStatusCode();

        using var overridden = await fake.Http.SendAsync(fake.Post("/v1/embeddings", """{"model":"gpt-4o","input":"Hi"}""", FakeBackendFixture.NewRun(), ("x-fake-behavior", "ok")));
        using var failed = await fake.Http.SendAsync(fake.Post("/v1/embeddings", """{"model":"gpt-4o","input":"Hi"}""", FakeBackendFixture.NewRun()));
        using var cleared = await fake.Http.DeleteAsync(Behavior);
        using var normal = await fake.Http.SendAsync(fake.Post("/v1/embeddings", """{"model":"gpt-4o","input":"Hi"}""", FakeBackendFixture.NewRun()));

        Assert.Equal((200, 503, 204, 200), ((int)overridden.StatusCode, (int)failed.StatusCode, (int)cleared.StatusCode, (int)normal.StatusCode));
    }

    [Fact]
    public async Task Behavior_ForOneRequest_IsNotUsedUpByARefusedRequest()
    {
        (await fake.Http.PostAsJsonAsync(Behavior, new { behavior = "503", times = 1 })).EnsureSuccessStatusCode();

        using var unknownModel = await fake.Http.SendAsync(fake.Post("/v1/embeddings", """{"model":"gpt-nope","input":"Hi"}""", FakeBackendFixture.NewRun()));
        using var malformed = await fake.Http.SendAsync(fake.Post("/v1/embeddings", """{"model":"gpt-4o"}""", FakeBackendFixture.NewRun()));
        using var failed = await fake.Http.SendAsync(fake.Post("/v1/embeddings", """{"model":"gpt-4o","input":"Hi"}""", FakeBackendFixture.NewRun()));
        using var normal = await fake.Http.SendAsync(fake.Post("/v1/embeddings", """{"model":"gpt-4o","input":"Hi"}""", FakeBackendFixture.NewRun()));

        Assert.Equal((404, 400, 503, 200), ((int)unknownModel.StatusCode, (int)malformed.StatusCode, (int)failed.StatusCode, (int)normal.StatusCode));
    }

    [Theory]
    [InlineData("""{"behavior":"sometimes"}""")]
    [InlineData("""{"behavior":"503","times":0}""")]
    [InlineData("""{}""")]
    public async Task Behavior_Invalid_IsRefusedAndChangesNothing(string json)
    {
        using var response = await fake.Http.PostAsync(Behavior, new StringContent(json, System.Text.Encoding.UTF8, "application/json"));

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal("""{"behavior":null,"remaining":null}""", await fake.Http.GetStringAsync(Behavior));
    }

    [Fact]
    public async Task Requests_Delete_EmptiesTheJournal()
    {
        var run = FakeBackendFixture.NewRun();
        (await fake.Http.SendAsync(fake.Post("/v1/embeddings", """{"model":"gpt-4o","input":"Hi"}""", run))).Dispose();

        (await fake.Http.DeleteAsync(new Uri("/_fake/requests", UriKind.Relative))).EnsureSuccessStatusCode();

        Assert.Empty(await fake.RequestsAsync(run));
    }

    private static string? Text(JsonElement element, string name) => element.GetProperty(name).GetString();
}
