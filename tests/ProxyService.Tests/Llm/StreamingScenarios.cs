using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using Gateway.ProxyService.Tests.Support;
using OpenAI.Chat;

namespace Gateway.ProxyService.Tests.Llm;

/// <summary>Streamed chat (<c>stream: true</c>) through the gateway.</summary>
public sealed class StreamingScenarios(LlmStackFixture fixture) : IClassFixture<LlmStackFixture>
{
    private LlmStack Stack => fixture.Stack;

    private static string Marker() => "m-" + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task StreamedChat_ThroughTheGateway_TextAndUsageArrive()
    {
        var marker = Marker();
        var text = new StringBuilder();
        ChatTokenUsage? usage = null;
        await foreach (var update in Stack.OpenAi().GetChatClient("gpt-4o-mini").CompleteChatStreamingAsync(new UserChatMessage("Hello " + marker)))
        {
            text.Append(string.Concat(update.ContentUpdate.Select(p => p.Text)));
            usage = update.Usage ?? usage;
        }

        Assert.Equal("You said: Hello " + marker, text.ToString());
        Assert.NotNull(usage);
        Assert.True(usage.OutputTokenCount > 0);
    }

    [Fact]
    public async Task StreamedChat_UsageAndCostRecordedOnce()
    {
        ChatTokenUsage? usage = null;
        await foreach (var update in Stack.OpenAi().GetChatClient("streamed").CompleteChatStreamingAsync(new UserChatMessage("count the stream " + Marker())))
        {
            usage = update.Usage ?? usage;
        }

        Assert.NotNull(usage);

        // The outcome is reported once the stream has ended, which the client may see first.
        JsonElement totals = default;
        await ProxyCalls.EventuallyAsync(
            async () =>
            {
                totals = JsonDocument.Parse(await Stack.Pool.GetStringAsync(new Uri("/usage?model=streamed", UriKind.Relative))).RootElement.GetProperty("totals");
                return totals.GetProperty("requests").GetInt64() > 0;
            },
            TimeSpan.FromSeconds(10),
            "the streamed call's outcome in PoolService");
        await Task.Delay(500);
        totals = JsonDocument.Parse(await Stack.Pool.GetStringAsync(new Uri("/usage?model=streamed", UriKind.Relative))).RootElement.GetProperty("totals");
        Assert.Equal(1, totals.GetProperty("requests").GetInt64());
        Assert.Equal(usage.InputTokenCount, totals.GetProperty("promptTokens").GetInt64());
        Assert.Equal(usage.OutputTokenCount, totals.GetProperty("completionTokens").GetInt64());
        Assert.Equal((usage.InputTokenCount * 1m + usage.OutputTokenCount * 2m) / 1_000_000m, totals.GetProperty("cost").GetDecimal());
    }

    [Fact]
    public async Task StreamedChat_WithoutIncludeUsage_TheGatewayAsksTheBackendForIt()
    {
        var marker = Marker();
        var body = JsonSerializer.Serialize(new { model = "gpt-4o-mini", stream = true, messages = new[] { new { role = "user", content = marker } } });
        using var response = await Stack.Proxy.PostAsync(new Uri("/v1/chat/completions", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"));
        var events = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/event-stream", response.Content.Headers.ContentType?.ToString(), StringComparison.Ordinal);
        Assert.EndsWith("data: [DONE]\n\n", events, StringComparison.Ordinal);
        var (_, entry) = Assert.Single(await Stack.RequestsMentioningAsync(marker));
        Assert.True(entry.GetProperty("body").GetProperty("stream_options").GetProperty("include_usage").GetBoolean());
    }

    [Fact]
    public async Task StreamedChat_PrimaryAnswers429_FallsBackWithNothingOfThe429Sent()
    {
        var marker = Marker();
        var text = new StringBuilder();
        await foreach (var update in Stack.OpenAi().GetChatClient("flaky").CompleteChatStreamingAsync(new UserChatMessage(marker)))
        {
            text.Append(string.Concat(update.ContentUpdate.Select(p => p.Text)));
        }

        Assert.Equal("You said: " + marker, text.ToString());

        // The fake completes its journal entry after the last byte, which the client may read first.
        await ProxyCalls.EventuallyAsync(
            async () => (await Stack.RequestsMentioningAsync(marker)).Any(s => s.Backend == "fallback" && s.Entry.GetProperty("status") is { ValueKind: JsonValueKind.Number } status && status.GetInt32() == 200),
            TimeSpan.FromSeconds(10),
            "the fallback backend's answer");
    }

    [Fact]
    public async Task StreamedChat_FirstEventArrivesBeforeTheStreamEnds()
    {
        var body = JsonSerializer.Serialize(new
        {
            model = "gpt-4o-mini",
            stream = true,
            messages = new[] { new { role = "user", content = "one two three four five six seven eight " + Marker() } },
        });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Add("x-fake-behavior", "chunk-delay:200");
        var clock = Stopwatch.StartNew();
        using var response = await Stack.Proxy.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var first = await reader.ReadLineAsync();
        var firstAt = clock.Elapsed;
        await reader.ReadToEndAsync();
        var endAt = clock.Elapsed;

        Assert.StartsWith("data: {", first, StringComparison.Ordinal);

        // About twelve events 200 ms apart: the first must come long before the last.
        Assert.True(endAt - firstAt > TimeSpan.FromSeconds(1.5), $"first event at {firstAt}, end at {endAt}");
    }

    [Fact]
    public async Task StreamedChat_ClientGoesAway_UpstreamCancelledAndTheCallReportedOnce()
    {
        var marker = Marker();
        var body = JsonSerializer.Serialize(new { model = "abandoned", stream = true, messages = new[] { new { role = "user", content = "a b c d e f g h i j " + marker } } });
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") })
        {
            request.Headers.Add("x-fake-behavior", "chunk-delay:500");
            using var response = await Stack.Proxy.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
            Assert.StartsWith("data: {", await reader.ReadLineAsync(), StringComparison.Ordinal);
        }

        await ProxyCalls.EventuallyAsync(
            async () => (await Stack.RequestsMentioningAsync(marker)).Any(s => s.Entry.GetProperty("aborted").GetBoolean()),
            TimeSpan.FromSeconds(10),
            "the backend's stream cancelled");
        await ProxyCalls.EventuallyAsync(
            async () => Totals(await Stack.Pool.GetStringAsync(new Uri("/usage?model=abandoned", UriKind.Relative))).GetProperty("requests").GetInt64() > 0,
            TimeSpan.FromSeconds(10),
            "the abandoned call's outcome in PoolService");
        await Task.Delay(500);
        Assert.Equal(1, Totals(await Stack.Pool.GetStringAsync(new Uri("/usage?model=abandoned", UriKind.Relative))).GetProperty("requests").GetInt64());

        static JsonElement Totals(string text) => JsonDocument.Parse(text).RootElement.GetProperty("totals");
    }
}
