using System.ClientModel;
using Gateway.FakeOpenAiBackend.Tests.Support;
using OpenAI.Chat;

namespace Gateway.FakeOpenAiBackend.Tests.Sdk;

/// <summary>The fake with <c>--api-key</c>: the SDK's bearer key is checked, and the journal shows the key each request carried.</summary>
public sealed class ApiKeySdkTests(KeyedFakeBackendFixture fake) : IClassFixture<KeyedFakeBackendFixture>
{
    [Fact]
    public async Task CompleteChat_WithTheConfiguredKey_AnswersAndJournalsTheKey()
    {
        var run = FakeBackendFixture.NewRun();
        var chat = fake.Client(run).GetChatClient("gpt-4o-mini");

        ChatCompletion completion = await chat.CompleteChatAsync(new UserChatMessage("Hello"));

        Assert.Equal("You said: Hello", completion.Content.Single().Text);
        var received = Assert.Single(await fake.RequestsAsync(run));
        Assert.Equal("Bearer " + KeyedFakeBackendFixture.Key, received.GetProperty("authorization").GetString());
    }

    [Fact]
    public async Task CompleteChat_WithAnotherKey_ThrowsWith401AndJournalsTheKeyItSaw()
    {
        var run = FakeBackendFixture.NewRun();
        var chat = fake.Client(run, apiKey: "sk-client-key").GetChatClient("gpt-4o-mini");

        var error = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync(new UserChatMessage("Hello")));

        Assert.Equal(401, error.Status);
        Assert.Contains("invalid_api_key", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("sk-client-key", error.Message, StringComparison.Ordinal);
        var received = Assert.Single(await fake.RequestsAsync(run));
        Assert.Equal("Bearer sk-client-key", received.GetProperty("authorization").GetString());
        Assert.Equal(401, received.GetProperty("status").GetInt32());
    }
}
