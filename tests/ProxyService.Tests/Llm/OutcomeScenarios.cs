using System.ClientModel;
using System.Globalization;
using System.Text.Json;
using OpenAI.Chat;

namespace Gateway.ProxyService.Tests.Llm;

/// <summary>What PoolService learns from the gateway, and the answers when backends fail.</summary>
public sealed class OutcomeScenarios(LlmStackFixture fixture) : IClassFixture<LlmStackFixture>
{
    private LlmStack Stack => fixture.Stack;

    private static string Marker() => "m-" + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task Chat_Success_UsageAndCostRecordedOnce()
    {
        ChatCompletion answer = await Stack.OpenAi().GetChatClient("counted").CompleteChatAsync(new UserChatMessage("count me " + Marker()));

        var totals = await Stack.SettledUsageAsync("counted", 1);
        Assert.Equal(1, totals.GetProperty("requests").GetInt64());
        Assert.Equal(1, totals.GetProperty("successes").GetInt64());
        Assert.Equal(answer.Usage.InputTokenCount, totals.GetProperty("promptTokens").GetInt64());
        Assert.Equal(answer.Usage.OutputTokenCount, totals.GetProperty("completionTokens").GetInt64());

        // Pricing 1 per million input tokens, 2 per million output tokens.
        var expected = (answer.Usage.InputTokenCount * 1m + answer.Usage.OutputTokenCount * 2m) / 1_000_000m;
        Assert.Equal(expected, totals.GetProperty("cost").GetDecimal());
    }

    [Fact]
    public async Task Chat_EveryBackend429s_Is503InOpenAisShapeWithRetryAfter()
    {
        var marker = Marker();
        var error = await Assert.ThrowsAsync<ClientResultException>(() => Stack.OpenAi().GetChatClient("doomed").CompleteChatAsync(new UserChatMessage(marker)));

        Assert.Equal(503, error.Status);
        var response = error.GetRawResponse()!;
        Assert.True(response.Headers.TryGetValue("Retry-After", out var retryAfter));
        Assert.True(long.Parse(retryAfter!, CultureInfo.InvariantCulture) >= 6, $"Retry-After {retryAfter}");
        var body = JsonDocument.Parse(response.Content.ToString()).RootElement.GetProperty("error");
        Assert.Equal("all_backends_exhausted", body.GetProperty("code").GetString());

        // Each backend was tried once, and each 429 reported as rate_limited.
        var seen = await Stack.RequestsMentioningAsync(marker);
        Assert.Equal(["fallback", "primary"], seen.Select(s => s.Backend).Order(StringComparer.Ordinal));
        var totals = await Stack.SettledUsageAsync("doomed", 2);
        Assert.Equal(2, totals.GetProperty("rateLimited").GetInt64());
    }

    [Fact]
    public async Task Chat_BackendTimesOut_RetriedOnAnother()
    {
        var marker = Marker();
        ChatCompletion answer = await Stack.OpenAi().GetChatClient("slow").CompleteChatAsync(new UserChatMessage(marker));

        Assert.Equal("You said: " + marker, answer.Content[0].Text);
        var seen = await Stack.RequestsMentioningAsync(marker);
        Assert.Contains(seen, s => s.Backend == "fallback" && s.Entry.GetProperty("status").GetInt32() == 200);
        var totals = await Stack.SettledUsageAsync("slow", 2);
        Assert.Equal(1, totals.GetProperty("timeouts").GetInt64());
        Assert.Equal(1, totals.GetProperty("successes").GetInt64());
    }

    [Fact]
    public async Task Chat_BackendRefusesTheConnection_RetriedOnAnother()
    {
        var marker = Marker();
        ChatCompletion answer = await Stack.OpenAi().GetChatClient("unreachable").CompleteChatAsync(new UserChatMessage(marker));

        Assert.Equal("You said: " + marker, answer.Content[0].Text);
        Assert.Equal(["fallback"], (await Stack.RequestsMentioningAsync(marker)).Select(s => s.Backend));
        var totals = await Stack.SettledUsageAsync("unreachable", 2);
        Assert.Equal(1, totals.GetProperty("connectErrors").GetInt64());
        Assert.Equal(1, totals.GetProperty("successes").GetInt64());
    }

    [Fact]
    public async Task Chat_BackendAnswers503_RetriedOnAnother()
    {
        var marker = Marker();
        ChatCompletion answer = await Stack.OpenAi().GetChatClient("broken").CompleteChatAsync(new UserChatMessage(marker));

        Assert.Equal("You said: " + marker, answer.Content[0].Text);
        var seen = await Stack.RequestsMentioningAsync(marker);
        Assert.Equal([("fallback", 200), ("primary", 503)], seen.Select(s => (s.Backend, s.Entry.GetProperty("status").GetInt32())).Order());
        var totals = await Stack.SettledUsageAsync("broken", 2);
        Assert.Equal(1, totals.GetProperty("serverErrors").GetInt64());
        Assert.Equal(1, totals.GetProperty("successes").GetInt64());
    }
}
