using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Serialization;
using Gateway.ProxyService.Infrastructure;
using Microsoft.Extensions.Options;
using Polly;

namespace Gateway.ProxyService.Services.Llm;

/// <summary>A backend PoolService granted for one call (its <c>POST /leases</c> answer).</summary>
internal sealed record Lease(string LeaseId, string BackendId, string BaseUrl, string Model, string UpstreamModel, string? ApiKey, int TimeoutSeconds, string? Pool)
{
    /// <summary>Names where the call goes, never the key.</summary>
    public override string ToString() => $"lease {LeaseId} on backend {BackendId}";
}

/// <summary>PoolService's answer to a lease request.</summary>
internal abstract record LeaseResult
{
    private LeaseResult()
    {
    }

    public sealed record Granted(Lease Lease) : LeaseResult;

    /// <summary>No backend serves the model and no alias names it.</summary>
    public sealed record UnknownModel(IReadOnlyList<string> KnownModels) : LeaseResult;

    /// <summary>Every backend serving the model is cooling down, full or excluded.</summary>
    public sealed record Exhausted(long RetryAfterSeconds) : LeaseResult;

    /// <summary>No usable answer: PoolService or its sidecar is down, busy or slow.</summary>
    public sealed record Unavailable(string Detail) : LeaseResult;
}

/// <summary>How one call to a backend ended, as PoolService's <c>POST /backends/{id}/outcomes</c> takes it.</summary>
internal sealed record CallOutcome(
    string LeaseId,
    string Outcome,
    long LatencyMs,
    string Model,
    long? RetryAfterSeconds = null,
    long? PromptTokens = null,
    long? CompletionTokens = null)
{
    public const string Success = "success";
    public const string RateLimited = "rate_limited";
    public const string Timeout = "timeout";
    public const string ConnectError = "connect_error";
    public const string ServerError = "server_error";
    public const string ClientError = "client_error";
}

/// <summary>
/// PoolService through Dapr service invocation (<c>/v1.0/invoke/pool/method/...</c>), over the
/// HttpClient that <see cref="Register"/> sets up: leases, outcome reports and the model list, each
/// call bounded by <see cref="LlmOptions.PoolTimeout"/>, retries included. Only the model list (a
/// GET) is retried. A lease is sent once: a repeated one could hold a second slot. PoolService
/// ignores a repeated report of the same lease, but a report is sent once and never retried here.
/// </summary>
internal sealed class PoolClient(IHttpClientFactory clients, ILogger<PoolClient> logger)
{
    private const string HttpClientName = "pool";
    private const int SafeRetries = 3;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    /// <summary>Registers the client and its HttpClient: PoolService's app id from <see cref="LlmOptions.PoolAppId"/>, the whole call bounded by <see cref="LlmOptions.PoolTimeout"/>.</summary>
    public static void Register(IServiceCollection services)
    {
        services.AddSingleton<PoolClient>();
        services.AddDaprInvocationClient(
                HttpClientName,
                provider => provider.GetRequiredService<IOptions<LlmOptions>>().Value.PoolAppId,
                (client, provider) => client.Timeout = provider.GetRequiredService<IOptions<LlmOptions>>().Value.PoolTimeout)
            .AddResilienceHandler(HttpClientName, pipeline => pipeline.AddRetry(DaprInvocation.SafeRetry(SafeRetries, DelayBackoffType.Exponential, TimeSpan.FromMilliseconds(200))));
    }

    public async Task<LeaseResult> LeaseAsync(string model, IReadOnlyCollection<string> exclude, CancellationToken cancellationToken)
    {
        var answer = await SendAsync(HttpMethod.Post, "leases", new { model, exclude }, cancellationToken).ConfigureAwait(false);
        if (answer.Failure is { } failure)
        {
            return new LeaseResult.Unavailable(failure);
        }

        switch (answer.Status)
        {
            case 200:
                var lease = TryDeserialize<Lease>(answer.Body);
                // The backend id becomes a path segment of the outcome report: "." or ".." would address another route.
                return lease is { LeaseId.Length: > 0, BackendId: { Length: > 0 } and not ("." or ".."), BaseUrl.Length: > 0, UpstreamModel.Length: > 0 }
                    ? new LeaseResult.Granted(lease)
                    : new LeaseResult.Unavailable("PoolService answered an unreadable lease");
            case 404:
                var known = TryDeserialize<UnknownModelProblem>(answer.Body)?.KnownModels ?? [];
                return new LeaseResult.UnknownModel(known);
            case 503 when answer.RetryAfterSeconds is { } retryAfter:
                return new LeaseResult.Exhausted(retryAfter);
            default:
                return new LeaseResult.Unavailable($"PoolService answered {answer.Status}");
        }
    }

    /// <summary>The models the pools serve, aliases included (PoolService's <c>GET /models</c>), or null when PoolService cannot say.</summary>
    public async Task<IReadOnlyList<string>?> ModelsAsync(CancellationToken cancellationToken)
    {
        var answer = await SendAsync(HttpMethod.Get, "models", null, cancellationToken).ConfigureAwait(false);
        if (answer is not { Failure: null, Status: 200 } || TryDeserialize<ModelList>(answer.Body)?.Models is not { } models)
        {
            return null;
        }

        List<string> ids = [.. models.Select(m => m?.Id).OfType<string>().Where(id => id.Length > 0)];
        return ids.Count == models.Count ? ids : null;
    }

    /// <summary>Reports how a leased call ended; a report that does not land is logged, not retried.</summary>
    public async Task ReportAsync(Lease lease, CallOutcome outcome, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(lease);
        var answer = await SendAsync(HttpMethod.Post, $"backends/{Uri.EscapeDataString(lease.BackendId)}/outcomes", outcome, cancellationToken).ConfigureAwait(false);
        if (answer.Failure is not null || answer.Status is < 200 or >= 300)
        {
            LlmLog.OutcomeNotRecorded(logger, lease.LeaseId, lease.BackendId, answer.Failure ?? $"PoolService answered {answer.Status}");
        }
    }

    private static T? TryDeserialize<T>(byte[] body)
        where T : class
    {
        try
        {
            return JsonSerializer.Deserialize<T>(body, Json);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private async Task<PoolAnswer> SendAsync(HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, new Uri(path, UriKind.Relative));
        if (body is not null)
        {
            request.Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, Json)) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" } } };
        }

        var http = clients.CreateClient(HttpClientName);
        try
        {
            // HttpClient.Timeout (PoolTimeout) bounds the whole call: every attempt and reading the answer.
            using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var bytes = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            long? retryAfter = response.Headers.RetryAfter?.Delta is { } delta ? (long)Math.Ceiling(delta.TotalSeconds)
                : response.Headers.TryGetValues("Retry-After", out var values) && long.TryParse(values.FirstOrDefault(), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) ? seconds
                : null;
            return new PoolAnswer((int)response.StatusCode, bytes, retryAfter);
        }
        catch (HttpRequestException e)
        {
            return PoolAnswer.Failed("no answer from the sidecar: " + e.GetType().Name);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return PoolAnswer.Failed($"no answer within {http.Timeout.TotalMilliseconds} ms");
        }
    }

    private sealed record UnknownModelProblem(IReadOnlyList<string>? KnownModels);

    private sealed record ModelList(IReadOnlyList<ModelEntry?>? Models);

    private sealed record ModelEntry(string? Id);

    private readonly record struct PoolAnswer(int Status, byte[] Body, long? RetryAfterSeconds, string? Failure = null)
    {
        public static PoolAnswer Failed(string failure) => new(0, [], null, failure);
    }
}
