using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.PoolService.Tests.Support;

/// <summary>PoolService's HTTP API as the tests call it: JSON in, status and JSON out.</summary>
public sealed class PoolApi(HttpClient http, string? adminToken) : IDisposable
{
    public HttpClient Http => http;

    public Task<Answer> LeaseAsync(string model, params string[] exclude) =>
        SendAsync(HttpMethod.Post, "/leases", new { model, exclude }, admin: false);

    public Task<Answer> ReportAsync(string backendId, object outcome) =>
        SendAsync(HttpMethod.Post, $"/backends/{backendId}/outcomes", outcome, admin: false);

    public Task<Answer> StatusAsync(string backendId) => SendAsync(HttpMethod.Get, $"/backends/{backendId}/status", null, admin: false);

    public Task<Answer> UsageAsync(string query) => SendAsync(HttpMethod.Get, "/usage" + query, null, admin: false);

    public Task<Answer> PutPoolAsync(string name, int order) => SendAsync(HttpMethod.Put, $"/admin/pools/{name}", new { order });

    public Task<Answer> PutBackendAsync(string id, object backend) => SendAsync(HttpMethod.Put, $"/admin/backends/{id}", backend);

    public Task<Answer> PutAliasAsync(string alias, string model) => SendAsync(HttpMethod.Put, $"/admin/aliases/{alias}", new { model });

    /// <summary>A pool of its own and one backend in it per entry of <paramref name="backends"/> (id → rpm, weight), serving <paramref name="model"/>.</summary>
    public async Task SetUpPoolAsync(string pool, int order, string model, params (string Id, int Rpm)[] backends)
    {
        (await PutPoolAsync(pool, order)).EnsureStatus(HttpStatusCode.Created);
        foreach (var (id, rpm) in backends)
        {
            (await PutBackendAsync(id, Backend(pool, model, rpm))).EnsureStatus(HttpStatusCode.Created);
        }
    }

    public static object Backend(string pool, string model, int rpm, string? apiKey = null, int weight = 1, string baseUrl = "http://127.0.0.1:9/v1", string? healthPath = null, int? healthIntervalSeconds = null, bool enabled = true) => new
    {
        pool,
        baseUrl,
        apiKey,
        models = new Dictionary<string, string> { [model] = model + "-upstream" },
        pricing = new Dictionary<string, object> { [model] = new { inputPerMillion = 2.0m, outputPerMillion = 8.0m } },
        rpm,
        weight,
        timeoutSeconds = 30,
        enabled,
        healthPath,
        healthIntervalSeconds,
    };

    public async Task<Answer> SendAsync(HttpMethod method, string path, object? body, bool admin = true, string? token = null, string? rawBody = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (rawBody is not null)
        {
            request.Content = new StringContent(rawBody, Encoding.UTF8, "application/json");
        }
        else if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        if (token is not null || (admin && adminToken is not null))
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token ?? adminToken);
        }

        using var response = await http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        return new Answer(response.StatusCode, text, response.Headers.RetryAfter?.Delta, response.Content.Headers.ContentType?.MediaType);
    }

    public void Dispose() => http.Dispose();
}

/// <summary>One HTTP answer: status, raw body, Retry-After, and the body as JSON.</summary>
public sealed record Answer(HttpStatusCode Status, string Body, TimeSpan? RetryAfter, string? MediaType)
{
    public JsonNode Json => JsonNode.Parse(Body) ?? throw new InvalidOperationException("empty body");

    public string? this[string property] => Json[property]?.ToString();

    public Answer EnsureStatus(HttpStatusCode expected) =>
        Status == expected ? this : throw new Xunit.Sdk.XunitException($"expected {(int)expected}, got {(int)Status}: {Body}");

    public T As<T>() => JsonSerializer.Deserialize<T>(Body, JsonSerializerOptions.Web)!;
}
