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

        var totals = await Stack.SettledUsageAsync("streamed", 1);
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
        Assert.EndsWith("\n\ndata: [DONE]\n\n", events, StringComparison.Ordinal);
        var (_, entry) = Assert.Single(await Stack.RequestsMentioningAsync(marker));
        Assert.True(entry.GetProperty("body").GetProperty("stream_options").GetProperty("include_usage").GetBoolean());

        // The usage chunk was for the gateway: the client, which did not ask, gets every other event and not that one.
        var chunks = events.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.All(chunks, chunk => Assert.StartsWith("data: ", chunk, StringComparison.Ordinal));
        Assert.DoesNotContain(chunks, chunk => chunk.Contains("\"usage\"", StringComparison.Ordinal));
        Assert.Equal("You said: " + marker, string.Concat(chunks.SkipLast(1).Select(Content)));
        var (_, full) = Assert.Single(await Stack.RequestsMentioningAsync(marker));
        Assert.Equal(200, full.GetProperty("status").GetInt32());

        static string Content(string chunk) =>
            JsonDocument.Parse(chunk["data: ".Length..]).RootElement.GetProperty("choices")[0].GetProperty("delta") is var delta && delta.TryGetProperty("content", out var content) ? content.GetString()! : "";
    }

    [Fact]
    public async Task StreamedChat_ClientAskedForUsage_GetsTheUsageChunk()
    {
        var marker = Marker();
        var body = JsonSerializer.Serialize(new { model = "gpt-4o-mini", stream = true, stream_options = new { include_usage = true }, messages = new[] { new { role = "user", content = marker } } });
        using var response = await Stack.Proxy.PostAsync(new Uri("/v1/chat/completions", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"));
        var chunks = (await response.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);

        var usage = JsonDocument.Parse(chunks[^2]["data: ".Length..]).RootElement;
        Assert.Equal(0, usage.GetProperty("choices").GetArrayLength());
        Assert.True(usage.GetProperty("usage").GetProperty("completion_tokens").GetInt32() > 0);
        Assert.Equal("data: [DONE]", chunks[^1]);
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
    public async Task StreamedChat_ClientGoesAway_UpstreamCancelledAndTheUsageSeenSoFarReportedOnce()
    {
        var marker = Marker();
        var prompt = "a b c d e f g h i j " + marker;
        var body = JsonSerializer.Serialize(new { model = "abandoned", stream = true, messages = new[] { new { role = "user", content = prompt } } });
        var received = new StringBuilder();
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") })
        {
            request.Headers.Add("x-fake-behavior", "chunk-delay:400");
            using var response = await Stack.Proxy.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

            // The role event, then "You", " said:", " a": leave after those.
            for (var contents = 0; contents < 3;)
            {
                var line = await reader.ReadLineAsync();
                Assert.NotNull(line);
                if (line.StartsWith("data: {", StringComparison.Ordinal)
                    && JsonDocument.Parse(line["data: ".Length..]).RootElement.GetProperty("choices")[0].GetProperty("delta").TryGetProperty("content", out var content)
                    && content.GetString() is { Length: > 0 } text)
                {
                    received.Append(text);
                    contents++;
                }
            }
        }

        Assert.Equal("You said: a", received.ToString());
        await ProxyCalls.EventuallyAsync(
            async () => (await Stack.RequestsMentioningAsync(marker)).Any(s => s.Entry.GetProperty("aborted").GetBoolean()),
            TimeSpan.FromSeconds(10),
            "the backend's stream cancelled");
        var totals = await Stack.SettledUsageAsync("abandoned", 1);
        Assert.Equal(1, totals.GetProperty("requests").GetInt64());

        // No usage chunk came: the prompt is estimated (OpenAI's rule: 3 per message + ceil(chars / 4), + 3),
        // the completion from the text streamed before the client left (at least what it read, less than the whole answer).
        Assert.Equal(3 + Tokens(prompt.Length) + 3, totals.GetProperty("promptTokens").GetInt64());
        var completion = totals.GetProperty("completionTokens").GetInt64();
        Assert.InRange(completion, Tokens(received.Length), Tokens(("You said: " + prompt).Length) - 1);
        Assert.True(totals.GetProperty("cost").GetDecimal() > 0);

        static long Tokens(int characters) => (characters + 3) / 4;
    }
}
