using System.Diagnostics;
using System.Text.Json;
using Gateway.FakeOpenAiBackend.Tests.Support;

namespace Gateway.FakeOpenAiBackend.Tests.Wire;

/// <summary>The server-sent events byte for byte, as a gateway reading the stream sees them.</summary>
public sealed class StreamWireTests(FakeBackendFixture fake) : IClassFixture<FakeBackendFixture>
{
    private const string StreamedChat = """{"model":"gpt-4o-mini","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"Hello fake"}]}""";

    [Fact]
    public async Task ChatStream_WithIncludeUsage_IsDataEventsThenTheUsageThenDone()
    {
        using var response = await fake.Http.SendAsync(fake.Post("/v1/chat/completions", StreamedChat, FakeBackendFixture.NewRun(), ("x-fake-behavior", "chunk-delay:0")));
        var body = await response.Content.ReadAsStringAsync();

        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("no-cache", response.Headers.CacheControl?.ToString());
        Assert.EndsWith("\n\ndata: [DONE]\n\n", body, StringComparison.Ordinal);
        var events = body.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.All(events, e => Assert.StartsWith("data: ", e, StringComparison.Ordinal));
        var chunks = events[..^1].Select(e => JsonDocument.Parse(e["data: ".Length..]).RootElement).ToArray();

        // Role, four pieces, finish, usage.
        Assert.Equal(7, chunks.Length);
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", c.GetProperty("object").GetString()));
        Assert.Single(chunks.Select(c => c.GetProperty("id").GetString()).Distinct());
        Assert.Equal("""{"role":"assistant","content":""}""", chunks[0].GetProperty("choices")[0].GetProperty("delta").GetRawText());
        Assert.Equal("You said: Hello fake", string.Concat(chunks[1..5].Select(c => c.GetProperty("choices")[0].GetProperty("delta").GetProperty("content").GetString())));
        var finish = chunks[5].GetProperty("choices")[0];
        Assert.Equal(("{}", "stop"), (finish.GetProperty("delta").GetRawText(), finish.GetProperty("finish_reason").GetString()));
        Assert.Equal(JsonValueKind.Null, chunks[4].GetProperty("choices")[0].GetProperty("finish_reason").ValueKind);
        var usage = chunks[6];
        Assert.Equal(0, usage.GetProperty("choices").GetArrayLength());
        Assert.Equal("""{"prompt_tokens":9,"completion_tokens":5,"total_tokens":14}""", usage.GetProperty("usage").GetRawText());
    }

    [Fact]
    public async Task ChatStream_WithoutIncludeUsage_SendsNoUsage()
    {
        const string json = """{"model":"gpt-4o-mini","stream":true,"messages":[{"role":"user","content":"Hello fake"}]}""";
        using var response = await fake.Http.SendAsync(fake.Post("/v1/chat/completions", json, FakeBackendFixture.NewRun()));
        var body = await response.Content.ReadAsStringAsync();

        Assert.DoesNotContain("usage", body, StringComparison.Ordinal);
        Assert.EndsWith("data: [DONE]\n\n", body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ChatStream_WithAChunkDelay_FlushesEachEventAsItIsWritten()
    {
        var clock = Stopwatch.StartNew();
        using var response = await fake.Http.SendAsync(
            fake.Post("/v1/chat/completions", StreamedChat, FakeBackendFixture.NewRun(), ("x-fake-behavior", "chunk-delay:200")),
            HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        var firstEvent = await reader.ReadLineAsync();
        var firstAt = clock.Elapsed;
        var rest = await reader.ReadToEndAsync();

        Assert.StartsWith("data: {", firstEvent, StringComparison.Ordinal);
        Assert.EndsWith("data: [DONE]\n\n", rest, StringComparison.Ordinal);
        // Seven more events follow the first, 200 ms apart.
        Assert.True(clock.Elapsed - firstAt >= TimeSpan.FromSeconds(1.3), $"first event at {firstAt}, end at {clock.Elapsed}");
    }

    [Fact]
    public async Task CompletionStream_IsTextCompletionEventsThenTheUsageThenDone()
    {
        const string json = """{"model":"gpt-4o","prompt":"Hello","stream":true,"stream_options":{"include_usage":true}}""";
        using var response = await fake.Http.SendAsync(fake.Post("/v1/completions", json, FakeBackendFixture.NewRun(), ("x-fake-behavior", "chunk-delay:0")));
        var events = (await response.Content.ReadAsStringAsync()).Split("\n\n", StringSplitOptions.RemoveEmptyEntries);

        Assert.Equal("data: [DONE]", events[^1]);
        var chunks = events[..^1].Select(e => JsonDocument.Parse(e["data: ".Length..]).RootElement).ToArray();
        Assert.All(chunks, c => Assert.Equal("text_completion", c.GetProperty("object").GetString()));
        Assert.Equal("You said: Hello", string.Concat(chunks[..^1].Select(c => c.GetProperty("choices")[0].GetProperty("text").GetString())));
        Assert.Equal("stop", chunks[^2].GetProperty("choices")[0].GetProperty("finish_reason").GetString());
        Assert.Equal(0, chunks[^1].GetProperty("choices").GetArrayLength());
        Assert.Equal(4, chunks[^1].GetProperty("usage").GetProperty("completion_tokens").GetInt32());
    }

    [Fact]
    public async Task ChatStream_HangAfterTwoEvents_SendsTwoEventsThenNothing()
    {
        using var response = await fake.Http.SendAsync(
            fake.Post("/v1/chat/completions", StreamedChat, FakeBackendFixture.NewRun(), ("x-fake-behavior", "chunk-delay:0,hang:2")),
            HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());
        using var patience = new CancellationTokenSource(TimeSpan.FromSeconds(5));

        string?[] lines = [await reader.ReadLineAsync(patience.Token), await reader.ReadLineAsync(patience.Token), await reader.ReadLineAsync(patience.Token), await reader.ReadLineAsync(patience.Token)];
        using var wait = new CancellationTokenSource(TimeSpan.FromMilliseconds(700));
        var next = reader.ReadLineAsync(wait.Token).AsTask();

        Assert.Equal(2, lines.Count(l => l!.StartsWith("data: ", StringComparison.Ordinal)));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => next);
    }

    [Fact]
    public async Task Chat_DropWithoutStreaming_EndsTheBodyEarly()
    {
        const string json = """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello fake"}]}""";
        using var response = await fake.Http.SendAsync(fake.Post("/v1/chat/completions", json, FakeBackendFixture.NewRun(), ("x-fake-behavior", "drop")), HttpCompletionOption.ResponseHeadersRead);

        Assert.Equal(200, (int)response.StatusCode);
        var error = await Assert.ThrowsAsync<HttpRequestException>(() => response.Content.ReadAsStringAsync());
        Assert.IsAssignableFrom<IOException>(error.InnerException);
    }

    [Fact]
    public async Task Chat_Reset_ClosesTheConnectionWithoutAnAnswer()
    {
        const string json = """{"model":"gpt-4o-mini","messages":[{"role":"user","content":"Hello fake"}]}""";

        await Assert.ThrowsAsync<HttpRequestException>(() => fake.Http.SendAsync(fake.Post("/v1/chat/completions", json, FakeBackendFixture.NewRun(), ("x-fake-behavior", "reset"))));
    }
}
