using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Gateway.EndToEnd.Tests.Support;

namespace Gateway.EndToEnd.Tests;

/// <summary>The README's walk-throughs, as a newcomer runs them right after <c>dotnet run --project AppHost</c>.</summary>
[Collection(RunningSuite.Name)]
public sealed class WalkthroughTests(Suite suite)
{
    private const string OperatorToken = "demo-operator-token";

    [Fact]
    public async Task BilledTask_CreditSubmitPollCharge_WorksAsTheReadmeShows()
    {
        using var billing = suite.Client("billing");
        using var proxy = suite.Client("proxy");
        var account = "readme-" + Guid.NewGuid().ToString("N")[..8];

        // 1. Credit the account (an operator call).
        using var creditRequest = Operator(HttpMethod.Post, $"/accounts/{account}/credits", new { amount = 10000, idempotencyKey = "readme-credit-1" });
        using var credit = await billing.SendAsync(creditRequest);
        Assert.True(credit.IsSuccessStatusCode, $"credit: {(int)credit.StatusCode} {await credit.Content.ReadAsStringAsync()}");

        // 2. Submit a task; the caller's own Authorization header goes nowhere.
        using var submitRequest = new HttpRequestMessage(HttpMethod.Post, "/api/proxy/demo/tasks") { Content = JsonContent.Create(new { prompt = "a cat on a skateboard" }) };
        submitRequest.Headers.Add("X-Thread-Id", account);
        submitRequest.Headers.TryAddWithoutValidation("Authorization", "Bearer my-own-key");
        using var submit = await proxy.SendAsync(submitRequest);
        var submitted = await JsonAsync(submit);
        var callId = submit.Headers.GetValues("X-Proxy-Call-Id").Single();
        var held = await AccountAsync(billing, account);

        // 3. Poll: queued, running, succeeded; then the ledger answers.
        var statuses = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            using var poll = await proxy.GetAsync(new Uri($"/api/proxy/demo/tasks/{submitted.GetProperty("taskId").GetString()}", UriKind.Relative));
            statuses.Add((await JsonAsync(poll)).GetProperty("status").GetString()!);
            Assert.Equal(callId, poll.Headers.GetValues("X-Proxy-Call-Id").Single());
        }

        // 4. The account, 5. the call as an operator sees it.
        var settled = await AccountAsync(billing, account);
        using var callRequest = Operator(HttpMethod.Get, $"/api/calls/{callId}");
        using var callResponse = await proxy.SendAsync(callRequest);
        var call = await JsonAsync(callResponse);

        Assert.Equal("queued", submitted.GetProperty("status").GetString());
        Assert.Equal(100, held.GetProperty("held").GetInt64());
        Assert.Equal(["queued", "running", "succeeded", "succeeded"], statuses);
        Assert.Equal((9958L, 0L, 42L), (settled.GetProperty("balance").GetInt64(), settled.GetProperty("held").GetInt64(), settled.GetProperty("charged").GetInt64()));
        Assert.Equal("completed", call.GetProperty("status").GetString());
        Assert.Equal(42, call.GetProperty("settlement").GetProperty("charged").GetInt64());
    }

    [Fact]
    public async Task Llm_ChatThroughTheAlias_IsServedByThePoolsFakeBackend()
    {
        using var proxy = suite.Client("proxy");

        using var response = await proxy.PostAsJsonAsync(new Uri("/v1/chat/completions", UriKind.Relative), new
        {
            model = "mini",
            messages = new[] { new { role = "user", content = "hello there" } },
        });
        var body = await JsonAsync(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("gpt-4o-mini", body.GetProperty("model").GetString());
        Assert.Equal("You said: hello there", body.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
        Assert.True(body.GetProperty("usage").GetProperty("total_tokens").GetInt32() > 0);
    }

    [Fact]
    public async Task Llm_StreamedChat_EndsWithDone()
    {
        using var proxy = suite.Client("proxy");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions")
        {
            Content = JsonContent.Create(new { model = "mini", stream = true, messages = new[] { new { role = "user", content = "stream me" } } }),
        };

        using var response = await proxy.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        var text = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("data: {", text, StringComparison.Ordinal);
        Assert.EndsWith("data: [DONE]", text.TrimEnd(), StringComparison.Ordinal);
    }

    private static HttpRequestMessage Operator(HttpMethod method, string path, object? body = null)
    {
        var request = new HttpRequestMessage(method, path) { Content = body is null ? null : JsonContent.Create(body) };
        request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + OperatorToken);
        return request;
    }

    private static async Task<JsonElement> AccountAsync(HttpClient billing, string account)
    {
        using var request = Operator(HttpMethod.Get, $"/accounts/{account}");
        using var response = await billing.SendAsync(request);
        Assert.True(response.IsSuccessStatusCode, $"account: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        return await JsonAsync(response);
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone();
}
