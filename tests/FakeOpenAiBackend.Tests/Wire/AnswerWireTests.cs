using System.Text.Json;
using Gateway.FakeOpenAiBackend.Tests.Support;

namespace Gateway.FakeOpenAiBackend.Tests.Wire;

/// <summary>The JSON answers field for field, including what the SDK tests do not reach (n, content parts, legacy completions, token inputs).</summary>
public sealed class AnswerWireTests(FakeBackendFixture fake) : IClassFixture<FakeBackendFixture>
{
    [Fact]
    public async Task Chat_AnswersOpenAisChatCompletionShape()
    {
        using var response = await fake.Http.SendAsync(
            fake.Post("/v1/chat/completions", """{"model":"gpt-4o","messages":[{"role":"user","content":"Hello fake"}],"temperature":0.2}""", FakeBackendFixture.NewRun()));
        var body = await ReadAsync(response);

        Assert.Equal(["id", "object", "created", "model", "choices", "usage", "system_fingerprint"], body.EnumerateObject().Select(p => p.Name));
        Assert.Equal("chat.completion", body.GetProperty("object").GetString());
        Assert.Equal(
            """{"index":0,"message":{"role":"assistant","content":"You said: Hello fake","refusal":null},"logprobs":null,"finish_reason":"stop"}""",
            Assert.Single(body.GetProperty("choices").EnumerateArray()).GetRawText());
        Assert.Equal("""{"prompt_tokens":9,"completion_tokens":5,"total_tokens":14}""", body.GetProperty("usage").GetRawText());
        Assert.StartsWith("req_", response.Headers.GetValues("x-request-id").Single(), StringComparison.Ordinal);
        Assert.NotNull(response.Content.Headers.ContentLength);
    }

    [Fact]
    public async Task Chat_WithNAndContentParts_AnswersNChoicesEchoingTheTextParts()
    {
        const string json = """
            {"model":"gpt-4o","n":2,"messages":[
              {"role":"user","content":"ignored, not the last"},
              {"role":"assistant","content":null},
              {"role":"user","content":[{"type":"text","text":"Hello "},{"type":"image_url","image_url":{"url":"https://example.invalid/a.png"}},{"type":"text","text":"fake"}]}]}
            """;
        using var response = await fake.Http.SendAsync(fake.Post("/v1/chat/completions", json, FakeBackendFixture.NewRun()));
        var body = await ReadAsync(response);

        var choices = body.GetProperty("choices").EnumerateArray().ToArray();
        Assert.Equal([0, 1], choices.Select(c => c.GetProperty("index").GetInt32()));
        Assert.All(choices, c => Assert.Equal("You said: Hello fake", c.GetProperty("message").GetProperty("content").GetString()));
        // Prompt: (3 + 6) + (3 + 0) + (3 + 3) + 3; completion: 5 per choice.
        Assert.Equal("""{"prompt_tokens":21,"completion_tokens":10,"total_tokens":31}""", body.GetProperty("usage").GetRawText());
    }

    [Fact]
    public async Task Completion_WithSeveralPrompts_AnswersAChoicePerPromptCutAtTheDefault16Tokens()
    {
        const string json = """{"model":"gpt-4o","prompt":["A prompt long enough to go past sixteen tokens of answer","Hi"]}""";
        using var response = await fake.Http.SendAsync(fake.Post("/v1/completions", json, FakeBackendFixture.NewRun()));
        var body = await ReadAsync(response);

        Assert.Equal("text_completion", body.GetProperty("object").GetString());
        Assert.StartsWith("cmpl-", body.GetProperty("id").GetString(), StringComparison.Ordinal);
        var choices = body.GetProperty("choices").EnumerateArray().ToArray();
        Assert.Equal(("length", 64), (choices[0].GetProperty("finish_reason").GetString(), choices[0].GetProperty("text").GetString()!.Length));
        Assert.Equal(("stop", "You said: Hi"), (choices[1].GetProperty("finish_reason").GetString(), choices[1].GetProperty("text").GetString()));
        Assert.Equal("""{"prompt_tokens":15,"completion_tokens":19,"total_tokens":34}""", body.GetProperty("usage").GetRawText());
    }

    [Fact]
    public async Task Completion_WithTokenIdPrompts_CountsOneTokenPerId()
    {
        using var response = await fake.Http.SendAsync(fake.Post("/v1/completions", """{"model":"gpt-4o","prompt":[[1,2,3],[4]],"max_tokens":100}""", FakeBackendFixture.NewRun()));
        var body = await ReadAsync(response);

        Assert.Equal(4, body.GetProperty("usage").GetProperty("prompt_tokens").GetInt32());
        Assert.Equal("You said: 1 2 3", body.GetProperty("choices")[0].GetProperty("text").GetString());
    }

    [Fact]
    public async Task Embeddings_Base64_IsTheFloatVectorAsLittleEndianFloat32()
    {
        var run = FakeBackendFixture.NewRun();
        using var floats = await fake.Http.SendAsync(fake.Post("/v1/embeddings", """{"model":"text-embedding-3-small","input":"same text","dimensions":5}""", run));
        using var base64 = await fake.Http.SendAsync(fake.Post("/v1/embeddings", """{"model":"text-embedding-3-small","input":"same text","dimensions":5,"encoding_format":"base64"}""", run));
        var floatBody = await ReadAsync(floats);
        var base64Body = await ReadAsync(base64);

        var vector = floatBody.GetProperty("data")[0].GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle()).ToArray();
        var decoded = Convert.FromBase64String(base64Body.GetProperty("data")[0].GetProperty("embedding").GetString()!);
        Assert.Equal(vector, Enumerable.Range(0, 5).Select(i => BitConverter.ToSingle(decoded, i * 4)));
        Assert.Equal(["object", "index", "embedding"], floatBody.GetProperty("data")[0].EnumerateObject().Select(p => p.Name));
        Assert.Equal("embedding", floatBody.GetProperty("data")[0].GetProperty("object").GetString());
        Assert.Equal("""{"prompt_tokens":3,"total_tokens":3}""", floatBody.GetProperty("usage").GetRawText());
    }

    [Fact]
    public async Task Models_AnswersOpenAisListShape()
    {
        using var response = await fake.Http.GetAsync(new Uri("/v1/models", UriKind.Relative));
        var body = await ReadAsync(response);

        Assert.Equal("list", body.GetProperty("object").GetString());
        Assert.Equal(
            """{"id":"gpt-4o-mini","object":"model","created":1700000000,"owned_by":"fake-openai-backend"}""",
            body.GetProperty("data")[0].GetRawText());
    }

    private static async Task<JsonElement> ReadAsync(HttpResponseMessage response)
    {
        Assert.Equal(200, (int)response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }
}
