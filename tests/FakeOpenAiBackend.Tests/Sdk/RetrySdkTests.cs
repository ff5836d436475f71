using System.ClientModel;
using System.Net.Http.Json;
using Gateway.FakeOpenAiBackend.Tests.Support;
using OpenAI.Chat;

namespace Gateway.FakeOpenAiBackend.Tests.Sdk;

/// <summary>
/// The instance behaviour (<c>POST /_fake/behavior</c>) with the SDK's own retry policy: the fake
/// recovers after N faults, and the SDK's wait follows the fake's <c>Retry-After</c>.
/// </summary>
public sealed class RetrySdkTests(FakeBackendFixture fake) : IClassFixture<FakeBackendFixture>, IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => (await fake.Http.DeleteAsync(new Uri("/_fake/behavior", UriKind.Relative))).EnsureSuccessStatusCode();

    [Fact]
    public async Task CompleteChat_WithTheSdkDefaultRetries_WaitsForRetryAfterAndSucceeds()
    {
        var run = FakeBackendFixture.NewRun();
        await SetBehaviorAsync("429:2", times: 1);
        var chat = fake.Client(run, maxRetries: 3).GetChatClient("gpt-4o-mini");

        ChatCompletion completion = await chat.CompleteChatAsync(new UserChatMessage("Hello"));

        Assert.Equal("You said: Hello", completion.Content.Single().Text);
        var requests = await fake.RequestsAsync(run);
        Assert.Equal([429, 200], requests.Select(r => r.GetProperty("status").GetInt32()));
        var waited = requests[1].GetProperty("at").GetDateTimeOffset() - requests[0].GetProperty("completedAt").GetDateTimeOffset();
        Assert.True(waited >= TimeSpan.FromSeconds(1.9), $"the SDK retried after {waited}, before the 2 s Retry-After");
    }

    [Fact]
    public async Task CompleteChat_InstanceBehaviorForTwoRequests_FailsTwiceThenAnswers()
    {
        var run = FakeBackendFixture.NewRun();
        await SetBehaviorAsync("503", times: 2);
        var chat = fake.Client(run).GetChatClient("gpt-4o-mini");

        var first = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync(new UserChatMessage("Hello")));
        var second = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync(new UserChatMessage("Hello")));
        ChatCompletion third = await chat.CompleteChatAsync(new UserChatMessage("Hello"));

        Assert.Equal((503, 503), (first.Status, second.Status));
        Assert.Equal("You said: Hello", third.Content.Single().Text);
        Assert.Equal(["503 (instance)", "503 (instance)", null], (await fake.RequestsAsync(run)).Select(r => r.GetProperty("behavior").GetString()));
    }

    private async Task SetBehaviorAsync(string behavior, int times)
    {
        using var response = await fake.Http.PostAsJsonAsync(new Uri("/_fake/behavior", UriKind.Relative), new { behavior, times });
        response.EnsureSuccessStatusCode();
    }
}
