using System.Text.Json;
using Gateway.FakeOpenAiBackend.Tests.Support;

namespace Gateway.FakeOpenAiBackend.Tests.Wire;

/// <summary>OpenAI's error shape and status codes, for bad requests and injected faults alike.</summary>
public sealed class ErrorWireTests(FakeBackendFixture fake) : IClassFixture<FakeBackendFixture>
{
    private const string Hello = """[{"role":"user","content":"Hello"}]""";

    public static TheoryData<string, string, int, string?, string?> BadRequests => new()
    {
        { "/v1/chat/completions", "{bad", 400, null, null },
        { "/v1/chat/completions", "[]", 400, null, null },
        { "/v1/chat/completions", $$$"""{"model":"","messages":{{{Hello}}}}""", 400, null, null },
        { "/v1/chat/completions", """{"model":"gpt-4o"}""", 400, "messages", "missing_required_parameter" },
        { "/v1/chat/completions", """{"model":"gpt-4o","messages":"Hello"}""", 400, "messages", "invalid_type" },
        { "/v1/chat/completions", """{"model":"gpt-4o","messages":[]}""", 400, "messages", "empty_array" },
        { "/v1/chat/completions", """{"model":"gpt-4o","messages":[{"content":"Hello"}]}""", 400, "messages[0].role", "missing_required_parameter" },
        { "/v1/chat/completions", """{"model":"gpt-4o","messages":[{"role":"user","content":"a"},{"role":"robot","content":"b"}]}""", 400, "messages[1].role", "invalid_value" },
        { "/v1/chat/completions", """{"model":"gpt-4o","messages":[{"role":"user","content":5}]}""", 400, "messages[0].content", "invalid_type" },
        { "/v1/chat/completions", $$$"""{"model":"gpt-4o","messages":{{{Hello}}},"stream":"yes"}""", 400, "stream", "invalid_type" },
        { "/v1/chat/completions", $$$"""{"model":"gpt-4o","messages":{{{Hello}}},"stream_options":{"include_usage":true}}""", 400, "stream_options", null },
        { "/v1/chat/completions", $$$"""{"model":"gpt-4o","messages":{{{Hello}}},"max_tokens":0}""", 400, "max_tokens", "invalid_value" },
        { "/v1/chat/completions", $$$"""{"model":"gpt-4o","messages":{{{Hello}}},"max_completion_tokens":1.5}""", 400, "max_completion_tokens", "invalid_type" },
        { "/v1/chat/completions", $$$"""{"model":"gpt-4o","messages":{{{Hello}}},"n":0}""", 400, "n", "invalid_value" },
        { "/v1/chat/completions", $$$"""{"model":"gpt-unknown","messages":{{{Hello}}}}""", 404, null, "model_not_found" },
        { "/v1/completions", """{"model":"gpt-4o"}""", 400, "prompt", "missing_required_parameter" },
        { "/v1/completions", """{"model":"gpt-4o","prompt":[]}""", 400, "prompt", "invalid_value" },
        { "/v1/embeddings", """{"model":"text-embedding-3-small","input":""}""", 400, "input", "invalid_value" },
        { "/v1/embeddings", """{"model":"text-embedding-3-small","input":["a",1]}""", 400, "input", "invalid_value" },
        { "/v1/embeddings", """{"model":"text-embedding-3-small","input":"a","encoding_format":"hex"}""", 400, "encoding_format", "invalid_value" },
        { "/v1/embeddings", """{"model":"text-embedding-3-small","input":"a","dimensions":0}""", 400, "dimensions", "invalid_value" },
        { "/v1/embeddings", """{"model":"text-embedding-9","input":"a"}""", 404, null, "model_not_found" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Post_BadRequest_AnswersOpenAisErrorShape(string path, string json, int status, string? param, string? code)
    {
        using var response = await fake.Http.SendAsync(fake.Post(path, json, FakeBackendFixture.NewRun()));

        var error = await ReadErrorAsync(response, status);
        Assert.Equal("invalid_request_error", error.GetProperty("type").GetString());
        Assert.Equal(param, error.GetProperty("param").GetString());
        Assert.Equal(code, error.GetProperty("code").GetString());
        Assert.NotEmpty(error.GetProperty("message").GetString()!);
    }

    [Fact]
    public async Task Post_WithoutModel_AnswersOpenAisExactBody()
    {
        using var response = await fake.Http.SendAsync(fake.Post("/v1/chat/completions", $$$"""{"messages":{{{Hello}}}}""", FakeBackendFixture.NewRun()));

        Assert.Equal(400, (int)response.StatusCode);
        Assert.Equal(
            """{"error":{"message":"you must provide a model parameter","type":"invalid_request_error","param":null,"code":null}}""",
            await response.Content.ReadAsStringAsync());
    }

    [Theory]
    [InlineData("POST", "/v1/assistants")]
    [InlineData("GET", "/v1/chat/completions")]
    [InlineData("DELETE", "/v1/models")]
    public async Task UnknownUrl_AnswersInvalidUrl404(string method, string path)
    {
        using var response = await fake.Http.SendAsync(new HttpRequestMessage(new HttpMethod(method), new Uri(path, UriKind.Relative)));

        var error = await ReadErrorAsync(response, 404);
        Assert.Equal($"Invalid URL ({method} {path})", error.GetProperty("message").GetString());
    }

    [Theory]
    [InlineData("429", 429, "1", "requests", "rate_limit_exceeded")]
    [InlineData("429:5", 429, "5", "requests", "rate_limit_exceeded")]
    [InlineData("delay:100,429:0", 429, "0", "requests", "rate_limit_exceeded")]
    [InlineData("500", 500, null, "server_error", null)]
    [InlineData("503:4", 503, "4", "server_error", null)]
    [InlineData("400", 400, null, "invalid_request_error", null)]
    public async Task Post_InjectedError_AnswersThatStatusWithRetryAfterAndOpenAisShape(string behavior, int status, string? retryAfter, string type, string? code)
    {
        using var response = await fake.Http.SendAsync(
            fake.Post("/v1/chat/completions", $$$"""{"model":"gpt-4o","messages":{{{Hello}}}}""", FakeBackendFixture.NewRun(), ("x-fake-behavior", behavior)));

        var error = await ReadErrorAsync(response, status);
        Assert.Equal(retryAfter, response.Headers.TryGetValues("Retry-After", out var values) ? values.Single() : null);
        Assert.Equal((type, code), (error.GetProperty("type").GetString(), error.GetProperty("code").GetString()));
    }

    [Fact]
    public async Task Get_ModelsWithInjectedError_AnswersTheError()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/v1/models", UriKind.Relative));
        request.Headers.Add("x-fake-behavior", "503");
        using var response = await fake.Http.SendAsync(request);

        await ReadErrorAsync(response, 503);
    }

    [Theory]
    [InlineData("teapot")]
    [InlineData("429,500")]
    [InlineData("200")]
    [InlineData("delay:-5")]
    public async Task Post_UnknownBehavior_AnswersBadRequestNamingTheHeader(string behavior)
    {
        using var response = await fake.Http.SendAsync(
            fake.Post("/v1/chat/completions", $$$"""{"model":"gpt-4o","messages":{{{Hello}}}}""", FakeBackendFixture.NewRun(), ("x-fake-behavior", behavior)));

        var error = await ReadErrorAsync(response, 400);
        Assert.Equal(("x-fake-behavior", "invalid_fake_behavior"), (error.GetProperty("param").GetString(), error.GetProperty("code").GetString()));
    }

    private static async Task<JsonElement> ReadErrorAsync(HttpResponseMessage response, int status)
    {
        Assert.Equal(status, (int)response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        var root = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        var error = Assert.Single(root.EnumerateObject());
        Assert.Equal("error", error.Name);
        Assert.Equal(["message", "type", "param", "code"], error.Value.EnumerateObject().Select(p => p.Name));
        return error.Value;
    }
}
