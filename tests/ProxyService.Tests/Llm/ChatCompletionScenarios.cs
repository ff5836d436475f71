using System.ClientModel;
using System.Net;
using System.Text;
using System.Text.Json;
using OpenAI;
using OpenAI.Chat;

namespace Gateway.ProxyService.Tests.Llm;

/// <summary>Non-streamed chat through the gateway, with the official OpenAI .NET SDK as the client.</summary>
public sealed class ChatCompletionScenarios(LlmStackFixture fixture) : IClassFixture<LlmStackFixture>
{
    private LlmStack Stack => fixture.Stack;

    private static string Marker() => "m-" + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task Chat_ThroughTheGateway_AnswersAsTheBackendDid()
    {
        var marker = Marker();
        ChatCompletion answer = await Stack.OpenAi().GetChatClient("gpt-4o-mini").CompleteChatAsync(new UserChatMessage("Hello " + marker));

        Assert.Equal("You said: Hello " + marker, answer.Content[0].Text);
        Assert.True(answer.Usage.InputTokenCount > 0);
        Assert.True(answer.Usage.OutputTokenCount > 0);
        var seen = Assert.Single(await Stack.RequestsMentioningAsync(marker));
        Assert.Equal(200, seen.Entry.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Chat_BackendSeesItsOwnKey_NeverTheClients()
    {
        var marker = Marker();
        await Stack.OpenAi("sk-client-secret-must-not-pass").GetChatClient("mini").CompleteChatAsync(new UserChatMessage(marker));

        var (backend, entry) = Assert.Single(await Stack.RequestsMentioningAsync(marker));
        var key = backend == "primary" ? LlmStack.PrimaryKey : LlmStack.FallbackKey;
        Assert.Equal("Bearer " + key, entry.GetProperty("authorization").GetString());
        Assert.DoesNotContain("sk-client-secret-must-not-pass", entry.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_ClientsOrganizationAndProject_NeverReachTheBackend()
    {
        var marker = Marker();
        var client = new OpenAIClient(
            new ApiKeyCredential("sk-client"),
            new OpenAIClientOptions { Endpoint = new Uri($"http://127.0.0.1:{Stack.ProxyPort}/v1"), OrganizationId = "org-client-chosen", ProjectId = "proj-client-chosen" });
        await client.GetChatClient("mini").CompleteChatAsync(new UserChatMessage(marker));

        var (_, entry) = Assert.Single(await Stack.RequestsMentioningAsync(marker));
        var headers = entry.GetProperty("headers");
        Assert.False(headers.TryGetProperty("openai-organization", out _));
        Assert.False(headers.TryGetProperty("openai-project", out _));
        Assert.DoesNotContain("client-chosen", entry.GetRawText(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Chat_Alias_IsSentWithTheBackendsModelName()
    {
        var marker = Marker();
        await Stack.OpenAi().GetChatClient("mini").CompleteChatAsync(new UserChatMessage(marker));

        var (_, entry) = Assert.Single(await Stack.RequestsMentioningAsync(marker));
        Assert.Equal("gpt-4o-mini", entry.GetProperty("model").GetString());
    }

    [Fact]
    public async Task Chat_PrimaryAnswers429_FallsBackToTheFallbackPool()
    {
        var marker = Marker();
        ChatCompletion answer = await Stack.OpenAi().GetChatClient("flaky").CompleteChatAsync(new UserChatMessage(marker));

        Assert.Equal("You said: " + marker, answer.Content[0].Text);
        var seen = await Stack.RequestsMentioningAsync(marker);
        var fallback = Assert.Single(seen, s => s.Backend == "fallback");
        Assert.Equal(200, fallback.Entry.GetProperty("status").GetInt32());

        // The primary answered 429 the first time (then cools down and is not leased at all).
        Assert.All(seen.Where(s => s.Backend == "primary"), s => Assert.Equal(429, s.Entry.GetProperty("status").GetInt32()));
    }

    [Fact]
    public async Task Chat_UnknownModel_Is404InOpenAisShape()
    {
        var marker = Marker();
        var error = await Assert.ThrowsAsync<ClientResultException>(() => Stack.OpenAi().GetChatClient("no-such-model").CompleteChatAsync(new UserChatMessage(marker)));

        Assert.Equal(404, error.Status);
        var body = JsonDocument.Parse(error.GetRawResponse()!.Content.ToString()).RootElement.GetProperty("error");
        Assert.Equal("model_not_found", body.GetProperty("code").GetString());
        Assert.Empty(await Stack.RequestsMentioningAsync(marker));
    }

    [Theory]
    [InlineData("{not json", null)]
    [InlineData("[1,2,3]", null)]
    [InlineData("""{"messages":[{"role":"user","content":"MARKER"}]}""", "model")]
    [InlineData("""{"model":"","messages":[{"role":"user","content":"MARKER"}]}""", "model")]
    [InlineData("""{"model":42,"messages":[{"role":"user","content":"MARKER"}]}""", "model")]
    [InlineData("""{"model":"gpt-4o-mini","stream":"yes","messages":[{"role":"user","content":"MARKER"}]}""", "stream")]
    public async Task Chat_MalformedBody_Is400WithoutReachingABackend(string body, string? param)
    {
        var marker = Marker();
        using var response = await Stack.Proxy.PostAsync(new Uri("/v1/chat/completions", UriKind.Relative), new StringContent(body.Replace("MARKER", marker, StringComparison.Ordinal), Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.True(error.TryGetProperty("message", out _));
        Assert.True(error.TryGetProperty("code", out _));
        Assert.Empty(await Stack.RequestsMentioningAsync(marker));
    }

    [Fact]
    public async Task Chat_OversizedBody_Is413WithoutReachingABackend()
    {
        var marker = Marker();
        var body = JsonSerializer.Serialize(new { model = "gpt-4o-mini", messages = new[] { new { role = "user", content = marker + new string('x', 70_000) } } });
        using var response = await Stack.Proxy.PostAsync(new Uri("/v1/chat/completions", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("request_too_large", error.GetProperty("code").GetString());
        Assert.Empty(await Stack.RequestsMentioningAsync(marker));
    }

    [Fact]
    public async Task Models_ListsTheModelsThePoolsServe_AliasesIncluded()
    {
        var models = (await Stack.OpenAi().GetOpenAIModelClient().GetModelsAsync()).Value.Select(m => m.Id).ToList();

        Assert.Contains("gpt-4o-mini", models);
        Assert.Contains("flaky", models);
        Assert.Contains("mini", models);
    }

    [Fact]
    public async Task Embeddings_ThroughTheGateway_AnswerTheBackendsVector()
    {
        var marker = Marker();
        var embedding = (await Stack.OpenAi().GetEmbeddingClient("gpt-4o-mini").GenerateEmbeddingAsync(marker)).Value;

        Assert.Equal(64, embedding.ToFloats().Length);
        var (_, entry) = Assert.Single(await Stack.RequestsMentioningAsync(marker));
        Assert.Equal("/v1/embeddings", entry.GetProperty("path").GetString());
    }

    [Fact]
    public async Task Completions_ThroughTheGateway_AnswerTheBackendsText()
    {
        var marker = Marker();
        var body = JsonSerializer.Serialize(new { model = "mini", prompt = marker });
        using var response = await Stack.Proxy.PostAsync(new Uri("/v1/completions", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("text_completion", answer.GetProperty("object").GetString());
        var (_, entry) = Assert.Single(await Stack.RequestsMentioningAsync(marker));
        Assert.Equal("/v1/completions", entry.GetProperty("path").GetString());
        Assert.Equal("gpt-4o-mini", entry.GetProperty("model").GetString());
    }

    [Fact]
    public async Task Chat_BackendAnswers400_ReturnedAsItIsWithoutRetry()
    {
        var marker = Marker();
        var body = JsonSerializer.Serialize(new { model = "gpt-4o-mini", messages = Array.Empty<object>(), user = marker });
        using var response = await Stack.Proxy.PostAsync(new Uri("/v1/chat/completions", UriKind.Relative), new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");
        Assert.Equal("messages", error.GetProperty("param").GetString());
        Assert.Single(await Stack.RequestsMentioningAsync(marker));
    }
}
