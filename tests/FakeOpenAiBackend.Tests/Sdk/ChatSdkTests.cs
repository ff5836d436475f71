using System.ClientModel;
using System.Diagnostics;
using System.Text.Json;
using Gateway.FakeOpenAiBackend.Tests.Support;
using OpenAI.Chat;

namespace Gateway.FakeOpenAiBackend.Tests.Sdk;

/// <summary>The official OpenAI .NET SDK's ChatClient, unchanged, against the fake: answers, streams and every fault.</summary>
public sealed class ChatSdkTests(FakeBackendFixture fake) : IClassFixture<FakeBackendFixture>
{
    [Fact]
    public async Task CompleteChat_AnswersTheLastUserMessageWithUsage()
    {
        var chat = fake.Client(FakeBackendFixture.NewRun()).GetChatClient("gpt-4o-mini");

        ChatCompletion completion = await chat.CompleteChatAsync(new SystemChatMessage("Be brief."), new UserChatMessage("Hello fake"));

        Assert.Equal("You said: Hello fake", completion.Content.Single().Text);
        Assert.Equal(ChatFinishReason.Stop, completion.FinishReason);
        Assert.Equal(ChatMessageRole.Assistant, completion.Role);
        Assert.Equal("gpt-4o-mini", completion.Model);
        Assert.StartsWith("chatcmpl-", completion.Id, StringComparison.Ordinal);
        Assert.InRange(completion.CreatedAt, DateTimeOffset.UtcNow.AddMinutes(-1), DateTimeOffset.UtcNow.AddMinutes(1));
        // Prompt: (3 + 3 "Be brief.") + (3 + 3 "Hello fake") + 3 priming; completion: 20 characters / 4.
        Assert.Equal((15, 5, 20), (completion.Usage.InputTokenCount, completion.Usage.OutputTokenCount, completion.Usage.TotalTokenCount));
    }

    [Fact]
    public async Task CompleteChat_WithMaxOutputTokens_CutsTheTextAndFinishesWithLength()
    {
        var chat = fake.Client(FakeBackendFixture.NewRun()).GetChatClient("gpt-4o");

        ChatCompletion completion = await chat.CompleteChatAsync([new UserChatMessage("Hello fake")], new ChatCompletionOptions { MaxOutputTokenCount = 2 });

        Assert.Equal("You said", completion.Content.Single().Text);
        Assert.Equal(ChatFinishReason.Length, completion.FinishReason);
        Assert.Equal(2, completion.Usage.OutputTokenCount);
    }

    [Fact]
    public async Task CompleteChatStreaming_YieldsTheTextPieceByPieceAndTheUsageLast()
    {
        var run = FakeBackendFixture.NewRun();
        var chat = fake.Client(run).GetChatClient("gpt-4o-mini");

        List<StreamingChatCompletionUpdate> updates = [];
        await foreach (var update in chat.CompleteChatStreamingAsync(new UserChatMessage("Hello fake")))
        {
            updates.Add(update);
        }

        Assert.Equal(["You", " said:", " Hello", " fake"], updates.SelectMany(u => u.ContentUpdate).Select(p => p.Text).Where(t => t.Length > 0));
        Assert.Equal(ChatFinishReason.Stop, updates.Single(u => u.FinishReason is not null).FinishReason);
        Assert.All(updates, u => Assert.Equal("gpt-4o-mini", u.Model));
        Assert.Single(updates.Select(u => u.CompletionId).Distinct());
        var usage = updates[^1].Usage;
        Assert.NotNull(usage);
        Assert.Equal((9, 5, 14), (usage.InputTokenCount, usage.OutputTokenCount, usage.TotalTokenCount));
        Assert.All(updates.SkipLast(1), u => Assert.Null(u.Usage));

        // The SDK asks for the usage chunk by itself: the gateway's rewrite of stream_options must keep that working.
        var body = Assert.Single(await fake.RequestsAsync(run)).GetProperty("body");
        Assert.True(body.GetProperty("stream").GetBoolean());
        Assert.True(body.GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
    }

    [Fact]
    public async Task CompleteChatStreaming_WithAChunkDelay_DeliversTheFirstUpdateLongBeforeTheLast()
    {
        var chat = fake.Client(FakeBackendFixture.NewRun(), behavior: "chunk-delay:250").GetChatClient("gpt-4o-mini");
        var clock = Stopwatch.StartNew();
        TimeSpan? first = null;

        await foreach (var update in chat.CompleteChatStreamingAsync(new UserChatMessage("one two")))
        {
            first ??= clock.Elapsed;
        }

        // Nine events follow the first (role, You, said:, one, two, finish, usage, [DONE] ...), 250 ms apart.
        Assert.NotNull(first);
        Assert.True(clock.Elapsed - first > TimeSpan.FromSeconds(1.5), $"first update at {first}, last at {clock.Elapsed}");
    }

    [Fact]
    public async Task CompleteChat_ModelFake429_ThrowsWith429AndRetryAfter()
    {
        var run = FakeBackendFixture.NewRun();
        var chat = fake.Client(run).GetChatClient("fake-429:3");

        var error = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync(new UserChatMessage("Hello")));

        Assert.Equal(429, error.Status);
        Assert.True(error.GetRawResponse()!.Headers.TryGetValue("Retry-After", out var retryAfter));
        Assert.Equal("3", retryAfter);
        Assert.Contains("Rate limit reached", error.Message, StringComparison.Ordinal);
        var received = Assert.Single(await fake.RequestsAsync(run));
        Assert.Equal(429, received.GetProperty("status").GetInt32());
        Assert.Equal("429:3 (model)", received.GetProperty("behavior").GetString());
    }

    [Theory]
    [InlineData("fake-500", 500, "The server had an error")]
    [InlineData("fake-503", 503, "overloaded")]
    [InlineData("fake-502", 502, "told to fail with 502")]
    public async Task CompleteChat_ModelFakeServerError_ThrowsWithThatStatus(string model, int status, string message)
    {
        var chat = fake.Client(FakeBackendFixture.NewRun()).GetChatClient(model);

        var error = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync(new UserChatMessage("Hello")));

        Assert.Equal(status, error.Status);
        Assert.Contains(message, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CompleteChat_BehaviorHeader_AppliesToAServedModel()
    {
        var chat = fake.Client(FakeBackendFixture.NewRun(), behavior: "503").GetChatClient("gpt-4o");

        var error = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync(new UserChatMessage("Hello")));

        Assert.Equal(503, error.Status);
    }

    [Fact]
    public async Task CompleteChat_ModelFakeDelay_AnswersAfterTheDelay()
    {
        var chat = fake.Client(FakeBackendFixture.NewRun()).GetChatClient("fake-delay:600");
        var clock = Stopwatch.StartNew();

        ChatCompletion completion = await chat.CompleteChatAsync(new UserChatMessage("Hello"));

        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(600), $"answered after {clock.Elapsed}");
        Assert.Equal("You said: Hello", completion.Content.Single().Text);
        Assert.Equal("fake-delay:600", completion.Model);
    }

    [Fact]
    public async Task CompleteChat_ModelFakeHang_GivesUpAtTheNetworkTimeoutAndTheFakeSeesTheAbort()
    {
        var run = FakeBackendFixture.NewRun();
        var chat = fake.Client(run, networkTimeout: TimeSpan.FromSeconds(1)).GetChatClient("fake-hang");
        var clock = Stopwatch.StartNew();

        await Assert.ThrowsAsync<TaskCanceledException>(() => chat.CompleteChatAsync(new UserChatMessage("Hello")));

        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(0.9), TimeSpan.FromSeconds(10));
        var received = await WaitForAsync(run, r => r.GetProperty("aborted").GetBoolean());
        Assert.Equal("hang (model)", received.GetProperty("behavior").GetString());
    }

    [Fact]
    public async Task CompleteChat_ModelFakeReset_ThrowsATransportError()
    {
        var chat = fake.Client(FakeBackendFixture.NewRun()).GetChatClient("fake-reset");

        var error = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync(new UserChatMessage("Hello")));

        Assert.Equal(0, error.Status);
        Assert.IsType<HttpRequestException>(error.InnerException);
    }

    [Fact]
    public async Task CompleteChatStreaming_ModelFakeDrop_ThrowsAfterTheEventsSent()
    {
        var chat = fake.Client(FakeBackendFixture.NewRun()).GetChatClient("fake-drop:3");
        List<StreamingChatCompletionUpdate> updates = [];

        await Assert.ThrowsAnyAsync<IOException>(async () =>
        {
            await foreach (var update in chat.CompleteChatStreamingAsync(new UserChatMessage("Hello there")))
            {
                updates.Add(update);
            }
        });

        Assert.Equal(3, updates.Count);
        Assert.Equal("You said:", string.Concat(updates.SelectMany(u => u.ContentUpdate).Select(p => p.Text)));
    }

    [Fact]
    public async Task CompleteChat_UnknownModel_ThrowsWith404()
    {
        var chat = fake.Client(FakeBackendFixture.NewRun()).GetChatClient("gpt-nope");

        var error = await Assert.ThrowsAsync<ClientResultException>(() => chat.CompleteChatAsync(new UserChatMessage("Hello")));

        Assert.Equal(404, error.Status);
        Assert.Contains("model_not_found", error.Message, StringComparison.Ordinal);
    }

    private async Task<JsonElement> WaitForAsync(string run, Func<JsonElement, bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var requests = await fake.RequestsAsync(run);
            if (requests.FirstOrDefault(condition) is { ValueKind: JsonValueKind.Object } found)
            {
                return found;
            }

            Assert.True(DateTime.UtcNow < deadline, $"no request of {run} matched in time: {string.Join('\n', requests)}");
            await Task.Delay(50);
        }
    }
}
