using System.Net.Http.Headers;
using System.Text.Json;
using Gateway.ProxyService.Model;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Timeout;

namespace Gateway.ProxyService.Infrastructure;

/// <summary>A reservation to ask BillingService for (its <c>POST /reservations</c> body).</summary>
internal sealed record ReserveCall(string AccountId, string Reference, string Provider, string Operation, long Amount, string AmountType, long TtlSeconds, string IdempotencyKey);

/// <summary>BillingService's answer to a reserve.</summary>
internal abstract record ReserveResult
{
    private ReserveResult()
    {
    }

    public sealed record Held(string ReservationId, DateTimeOffset? ExpiresAt) : ReserveResult;

    /// <summary>BillingService said no (402 insufficient funds, 400 unknown account, 409 ...): its answer, to pass on.</summary>
    public sealed record Refused(CachedResponse Response) : ReserveResult;

    /// <summary>No usable answer: BillingService or its sidecar is down, busy or slow.</summary>
    public sealed record Unavailable(string Detail) : ReserveResult;
}

/// <summary>BillingService's answer to a finalize or release.</summary>
internal abstract record SettleResult
{
    private SettleResult()
    {
    }

    /// <summary>
    /// BillingService's final word on the reservation: its status (<c>finalized</c>, <c>released</c>,
    /// <c>expired</c>) and the amount charged, or a definitive refusal (<c>not_found</c>,
    /// <c>refused_{status}</c>) that no retry would change.
    /// </summary>
    public sealed record Landed(string Status, long? Charged) : SettleResult;

    /// <summary>No definitive answer: try again later.</summary>
    public sealed record Unavailable(string Detail) : SettleResult;
}

/// <summary>
/// BillingService through Dapr service invocation (<c>/v1.0/invoke/billing/method/...</c>), over
/// the HttpClient that <see cref="Register"/> sets up. Every attempt is bounded by
/// <see cref="ProxyOptions.BillingTimeout"/>. Reserves carry an idempotency key derived from the
/// call id, so repeating one never holds twice: the resilience handler tries a reserve up to three
/// times while BillingService is unavailable. Finalize and release are idempotent on
/// BillingService's side (the same outcome again answers 200) but are sent once here: the
/// <see cref="Services.SettlementRetrier"/> repeats them later, with its own backoff.
/// </summary>
internal sealed class BillingClient(IHttpClientFactory clients, IOptions<ProxyOptions> options)
{
    private const string HttpClientName = "billing";
    private const int ReserveRetries = 2;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private TimeSpan CallTimeout => options.Value.BillingTimeout;

    /// <summary>Registers the client and its HttpClient: BillingService's app id from <see cref="ProxyOptions.BillingAppId"/>, reserves retried, each attempt bounded.</summary>
    public static void Register(IServiceCollection services)
    {
        services.AddSingleton<BillingClient>();
        services.AddDaprInvocationClient(HttpClientName, provider => provider.GetRequiredService<IOptions<ProxyOptions>>().Value.BillingAppId)
            .AddResilienceHandler(HttpClientName, (pipeline, context) =>
            {
                var provider = context.ServiceProvider;
                var logger = provider.GetRequiredService<ILogger<BillingClient>>();
                pipeline
                    .AddRetry(DaprInvocation.SafeRetry(ReserveRetries, DelayBackoffType.Linear, TimeSpan.FromMilliseconds(200), args =>
                    {
                        ProxyLog.BillingUnavailable(logger, args.Context.GetRequestMessage()?.RequestUri?.AbsolutePath ?? "call", args.AttemptNumber + 1, DaprInvocation.Describe(args.Outcome));
                        return ValueTask.CompletedTask;
                    }))
                    .AddTimeout(provider.GetRequiredService<IOptions<ProxyOptions>>().Value.BillingTimeout);
            });
    }

    /// <summary>Reserves; the same request (same idempotency key) is repeated a few times while BillingService is unavailable.</summary>
    public async Task<ReserveResult> ReserveAsync(ReserveCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        var body = new
        {
            accountId = call.AccountId,
            reference = call.Reference,
            provider = call.Provider,
            operation = call.Operation,
            amount = call.Amount,
            amountType = call.AmountType,
            ttlSeconds = call.TtlSeconds,
            idempotencyKey = call.IdempotencyKey,
        };
        var answer = await PostAsync("reservations", body, repeatable: true, cancellationToken).ConfigureAwait(false);
        if (answer.Failure is { } failure)
        {
            return new ReserveResult.Unavailable(failure);
        }

        var (status, contentType, bytes) = (answer.Status, answer.ContentType, answer.Body);
        if (status is 200 or 201 && TryRead(bytes, out var root) && root.TryGetProperty("reservationId", out var id) && id.GetString() is { Length: > 0 } reservationId && IsPathSegment(reservationId))
        {
            var expiresAt = root.TryGetProperty("expiresAt", out var e) && e.TryGetDateTimeOffset(out var at) ? at : (DateTimeOffset?)null;
            return new ReserveResult.Held(reservationId, expiresAt);
        }

        if (status is >= 400 and < 500 and not 408 and not 429)
        {
            List<HeaderValues> headers = contentType is null ? [] : [new HeaderValues("Content-Type", [contentType])];
            return new ReserveResult.Refused(new CachedResponse(status, headers, bytes));
        }

        return new ReserveResult.Unavailable($"BillingService answered {status}");
    }

    public Task<SettleResult> FinalizeAsync(string reservationId, long amount, string reason, CancellationToken cancellationToken) =>
        SettleAsync($"reservations/{Uri.EscapeDataString(reservationId)}/finalize", new { amount, reason }, cancellationToken);

    public Task<SettleResult> ReleaseAsync(string reservationId, string reason, CancellationToken cancellationToken) =>
        SettleAsync($"reservations/{Uri.EscapeDataString(reservationId)}/release", new { reason }, cancellationToken);

    private async Task<SettleResult> SettleAsync(string path, object body, CancellationToken cancellationToken)
    {
        var answer = await PostAsync(path, body, repeatable: false, cancellationToken).ConfigureAwait(false);
        if (answer.Failure is { } failure)
        {
            return new SettleResult.Unavailable(failure);
        }

        var (status, bytes) = (answer.Status, answer.Body);
        switch (status)
        {
            case 200 when TryRead(bytes, out var reservation):
                return Landed(reservation);

            // 409: already resolved another way (expired before we got through, most likely); the winner is in 'reservation'.
            case 409 when TryRead(bytes, out var problem) && problem.TryGetProperty("reservation", out var winner):
                return Landed(winner);
            case 404:
                return new SettleResult.Landed("not_found", null);
            case >= 400 and < 500 and not 408 and not 429:
                return new SettleResult.Landed($"refused_{status}", null);
            default:
                return new SettleResult.Unavailable($"BillingService answered {status}");
        }
    }

    private static SettleResult.Landed Landed(JsonElement reservation) => new(
        reservation.TryGetProperty("status", out var s) && s.GetString() is { Length: > 0 } status ? status : "unknown",
        reservation.TryGetProperty("finalAmount", out var a) && a.TryGetInt64(out var amount) ? amount : null);

    private async Task<BillingAnswer> PostAsync(string path, object body, bool repeatable, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative))
        {
            Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, Json)) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" } } },
        };
        request.Options.Set(DaprInvocation.Repeatable, repeatable);
        HttpResponseMessage response;
        try
        {
            response = await clients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutRejectedException)
        {
            return BillingAnswer.Failed($"no answer within {CallTimeout.TotalMilliseconds} ms");
        }
        catch (HttpRequestException e)
        {
            return BillingAnswer.Failed("no answer from the sidecar: " + e.GetType().Name);
        }

        using (response)
        {
            // The resilience handler's timeout ends with the headers; the body gets the same bound.
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(CallTimeout);
            try
            {
                var bytes = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
                return new BillingAnswer((int)response.StatusCode, response.Content.Headers.ContentType?.ToString(), bytes);
            }
            catch (HttpRequestException e)
            {
                return BillingAnswer.Failed("the answer broke off: " + e.GetType().Name);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return BillingAnswer.Failed($"no answer within {CallTimeout.TotalMilliseconds} ms");
            }
        }
    }

    // The id becomes a path segment of the finalize and release calls: "." or ".." would address another route.
    private static bool IsPathSegment(string id) => id is not ("." or "..");

    private static bool TryRead(byte[] bytes, out JsonElement root)
    {
        try
        {
            using var document = JsonDocument.Parse(bytes);
            root = document.RootElement.Clone();
            return root.ValueKind == JsonValueKind.Object;
        }
        catch (JsonException)
        {
            root = default;
            return false;
        }
    }

    private readonly record struct BillingAnswer(int Status, string? ContentType, byte[] Body, string? Failure = null)
    {
        public static BillingAnswer Failed(string failure) => new(0, null, [], failure);
    }
}
