using System.Diagnostics;
using System.Text.Json;
using Gateway.FakeOpenAiBackend.Tests.Support;

namespace Gateway.FakeOpenAiBackend.Tests.Wire;

/// <summary>The fake started with every short switch: key, models (with <c>*</c>), chunk delay, Retry-After, embedding length.</summary>
public sealed class ConfigurationWireTests(ConfigurationWireTests.ConfiguredFakeBackendFixture fake) : IClassFixture<ConfigurationWireTests.ConfiguredFakeBackendFixture>
{
    public sealed class ConfiguredFakeBackendFixture : FakeBackendFixture
    {
        public override string ClientKey => "sk-configured";

        protected override IEnumerable<string> Arguments =>
            ["--api-key", "sk-configured", "--models", "alpha, beta,*", "--chunk-delay-ms", "300", "--retry-after-seconds", "7", "--embedding-dimensions", "3"];
    }

    [Fact]
    public async Task Models_ListsTheConfiguredModelsButNotTheWildcard()
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/v1/models", UriKind.Relative));
        request.Headers.Add("Authorization", "Bearer sk-configured");
        using var response = await fake.Http.SendAsync(request);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(["alpha", "beta"], body.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()));
    }

    [Fact]
    public async Task Chat_AnyModelName_IsServedBecauseOfTheWildcard()
    {
        using var response = await fake.Http.SendAsync(fake.Post("/v1/chat/completions", """{"model":"anything-at-all","messages":[{"role":"user","content":"Hi"}]}""", FakeBackendFixture.NewRun()));

        Assert.Equal(200, (int)response.StatusCode);
    }

    [Fact]
    public async Task Injected429_CarriesTheConfiguredRetryAfter()
    {
        using var response = await fake.Http.SendAsync(fake.Post("/v1/chat/completions", """{"model":"fake-429","messages":[{"role":"user","content":"Hi"}]}""", FakeBackendFixture.NewRun()));

        Assert.Equal(429, (int)response.StatusCode);
        Assert.Equal("7", response.Headers.GetValues("Retry-After").Single());
    }

    [Fact]
    public async Task Embeddings_HaveTheConfiguredLength()
    {
        using var response = await fake.Http.SendAsync(fake.Post("/v1/embeddings", """{"model":"alpha","input":"Hi"}""", FakeBackendFixture.NewRun()));
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(3, body.GetProperty("data")[0].GetProperty("embedding").GetArrayLength());
    }

    [Fact]
    public async Task Stream_UsesTheConfiguredChunkDelay()
    {
        var clock = Stopwatch.StartNew();
        using var response = await fake.Http.SendAsync(fake.Post("/v1/chat/completions", """{"model":"alpha","stream":true,"messages":[{"role":"user","content":"Hi"}]}""", FakeBackendFixture.NewRun()));
        await response.Content.ReadAsStringAsync();

        // Role, You, said:, Hi, finish, [DONE]: five pauses of 300 ms.
        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(1500), $"{clock.Elapsed}");
    }

    [Theory]
    [InlineData(null, "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).", null)]
    [InlineData("Bearer sk-wrong", "Incorrect API key provided.", "invalid_api_key")]
    [InlineData("Basic c2stY29uZmlndXJlZA==", "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).", null)]
    public async Task V1_WithoutTheKey_Answers401InOpenAisShape(string? authorization, string message, string? code)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, new Uri("/v1/models", UriKind.Relative));
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var response = await fake.Http.SendAsync(request);
        var error = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("error");

        Assert.Equal(401, (int)response.StatusCode);
        Assert.Equal((message, "invalid_request_error", code), (error.GetProperty("message").GetString(), error.GetProperty("type").GetString(), error.GetProperty("code").GetString()));
    }

    [Theory]
    [InlineData("/alive")]
    [InlineData("/_fake/requests")]
    [InlineData("/_fake/behavior")]
    public async Task ControlAndProbe_NeedNoKey(string path)
    {
        using var response = await fake.Http.GetAsync(new Uri(path, UriKind.Relative));

        Assert.Equal(200, (int)response.StatusCode);
    }
}
