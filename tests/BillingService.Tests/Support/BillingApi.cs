using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.BillingService.Tests.Support;

/// <summary>An answer: status, JSON body (<see cref="JsonValueKind.Undefined"/> when empty) and headers.</summary>
internal sealed record ApiResponse(HttpStatusCode Status, JsonElement Body, HttpResponseHeaders Headers, string? ContentType)
{
    /// <summary>The problem type, for problem answers.</summary>
    public string? ProblemType => Body.ValueKind == JsonValueKind.Object && Body.TryGetProperty("type", out var t) ? t.GetString() : null;

    public string String(string name) => Body.GetProperty(name).GetString()!;

    public long Long(string name) => Body.GetProperty(name).GetInt64();

    public override string ToString() => $"{(int)Status} {Body}";
}

/// <summary>
/// BillingService's HTTP API, as a test calls it: every request carries <paramref name="authorization"/>
/// as its <c>Authorization</c> header, none when null.
/// </summary>
internal sealed class BillingApi(HttpClient client, string? authorization)
{
    public HttpClient Client => client;

    /// <summary>The same API as a caller without the operator token sees it (as ProxyService calls it).</summary>
    public BillingApi WithoutOperatorToken() => new(client, null);

    /// <summary>The same API sending <paramref name="header"/> as the whole Authorization header (none when null).</summary>
    public BillingApi WithAuthorization(string? header) => new(client, header);

    public Task<ApiResponse> CreditAsync(string accountId, long amount, string idempotencyKey) =>
        PostAsync($"/accounts/{accountId}/credits", new { amount, idempotencyKey });

    public Task<ApiResponse> SetCreditLimitAsync(string accountId, long creditLimit) =>
        SendAsync(HttpMethod.Put, $"/accounts/{accountId}/credit-limit", JsonContent.Create(new { creditLimit }));

    public Task<ApiResponse> ReserveAsync(string accountId, long amount, string amountType = "estimate", long? ttlSeconds = null, string? idempotencyKey = null, string reference = "call-1") =>
        PostAsync("/reservations", new { accountId, reference, provider = "acme", operation = "POST /v1/tasks", amount, amountType, ttlSeconds, idempotencyKey });

    public Task<ApiResponse> FinalizeAsync(string reservationId, long amount, string? reason = null) =>
        PostAsync($"/reservations/{reservationId}/finalize", new { amount, reason });

    public Task<ApiResponse> ReleaseAsync(string reservationId, string reason = "error_http_500") =>
        PostAsync($"/reservations/{reservationId}/release", new { reason });

    public Task<ApiResponse> GetReservationAsync(string reservationId) => GetAsync($"/reservations/{reservationId}");

    public Task<ApiResponse> GetAccountAsync(string accountId) => GetAsync($"/accounts/{accountId}");

    /// <summary>Credits and asserts success.</summary>
    public async Task CreditOkAsync(string accountId, long amount, string? idempotencyKey = null)
    {
        var response = await CreditAsync(accountId, amount, idempotencyKey ?? Guid.NewGuid().ToString("N"));
        Assert.True(response.Status == HttpStatusCode.OK, response.ToString());
    }

    /// <summary>Reserves, asserts 201, returns the reservation id.</summary>
    public async Task<string> ReserveOkAsync(string accountId, long amount, string amountType = "estimate", long? ttlSeconds = null)
    {
        var response = await ReserveAsync(accountId, amount, amountType, ttlSeconds);
        Assert.True(response.Status == HttpStatusCode.Created, response.ToString());
        return response.String("reservationId");
    }

    /// <summary>The account, asserted to exist.</summary>
    public async Task<ApiResponse> AccountAsync(string accountId)
    {
        var response = await GetAccountAsync(accountId);
        Assert.True(response.Status == HttpStatusCode.OK, response.ToString());
        return response;
    }

    /// <summary>Every entry of the account, paging through <c>/entries</c>.</summary>
    public async Task<List<JsonElement>> EntriesAsync(string accountId, int pageSize = 500)
    {
        List<JsonElement> entries = [];
        long? from = 1;
        while (from is { } next)
        {
            var page = await GetAsync($"/accounts/{accountId}/entries?from={next}&limit={pageSize}");
            Assert.True(page.Status == HttpStatusCode.OK, page.ToString());
            entries.AddRange(page.Body.GetProperty("entries").EnumerateArray());
            from = page.Body.GetProperty("nextFrom").ValueKind == JsonValueKind.Null ? null : page.Long("nextFrom");
        }

        return entries;
    }

    public Task<ApiResponse> PostAsync(string path, object body) => SendAsync(HttpMethod.Post, path, JsonContent.Create(body));

    public Task<ApiResponse> PostRawAsync(string path, string body, string? contentType = "application/json") => SendRawAsync(HttpMethod.Post, path, body, contentType);

    public Task<ApiResponse> SendRawAsync(HttpMethod method, string path, string? body, string? contentType = "application/json")
    {
        StringContent? content = null;
        if (body is not null)
        {
            content = new StringContent(body);
            content.Headers.ContentType = contentType is null ? null : MediaTypeHeaderValue.Parse(contentType);
        }

        return SendAsync(method, path, content);
    }

    public Task<ApiResponse> GetAsync(string path) => SendAsync(HttpMethod.Get, path, null);

    private async Task<ApiResponse> SendAsync(HttpMethod method, string path, HttpContent? content)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        if (authorization is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var response = await client.SendAsync(request);
        return await ReadAsync(response);
    }

    private static async Task<ApiResponse> ReadAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        var body = text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
        return new ApiResponse(response.StatusCode, body, response.Headers, response.Content.Headers.ContentType?.MediaType);
    }
}

internal static class Json
{
    /// <summary>Structural equality of two JSON values.</summary>
    public static bool Same(JsonElement a, JsonElement b) => JsonNode.DeepEquals(JsonNode.Parse(a.GetRawText()), JsonNode.Parse(b.GetRawText()));
}
