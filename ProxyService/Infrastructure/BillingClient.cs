using System.Net.Http.Headers;
using System.Text.Json;
using Gateway.ProxyService.Model;
using Gateway.ServiceDefaults.Dapr;
using Microsoft.Extensions.Options;

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
/// BillingService through Dapr service invocation (<c>/v1.0/invoke/billing/method/...</c>).
/// Every call is bounded by <see cref="ProxyOptions.BillingTimeout"/>. Reserves carry an
/// idempotency key derived from the call id, so repeating one never holds twice; finalize and
/// release are idempotent on BillingService's side (the same outcome again answers 200).
/// </summary>
internal sealed class BillingClient(DaprInvocationClient invocation, IOptions<ProxyOptions> options, TimeProvider time, ILogger<BillingClient> logger)
{
    private const int ReserveAttempts = 3;
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    private string AppId => options.Value.BillingAppId;

    private TimeSpan CallTimeout => options.Value.BillingTimeout;

    /// <summary>Reserves, repeating the same request (same idempotency key) a few times while BillingService is unavailable.</summary>
    public async Task<ReserveResult> ReserveAsync(ReserveCall call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        ReserveResult result = new ReserveResult.Unavailable("not tried");
        for (var attempt = 1; attempt <= ReserveAttempts; attempt++)
        {
            result = await ReserveOnceAsync(call, cancellationToken).ConfigureAwait(false);
            if (result is not ReserveResult.Unavailable unavailable)
            {
                return result;
            }

            ProxyLog.BillingUnavailable(logger, "reserve", attempt, unavailable.Detail);
            if (attempt < ReserveAttempts)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200 * attempt), time, cancellationToken).ConfigureAwait(false);
            }
        }

        return result;
    }

    public Task<SettleResult> FinalizeAsync(string reservationId, long amount, string reason, CancellationToken cancellationToken) =>
        SettleAsync($"reservations/{Uri.EscapeDataString(reservationId)}/finalize", new { amount, reason }, cancellationToken);

    public Task<SettleResult> ReleaseAsync(string reservationId, string reason, CancellationToken cancellationToken) =>
        SettleAsync($"reservations/{Uri.EscapeDataString(reservationId)}/release", new { reason }, cancellationToken);

    private async Task<ReserveResult> ReserveOnceAsync(ReserveCall call, CancellationToken cancellationToken)
    {
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
        var answer = await PostAsync("reservations", body, cancellationToken).ConfigureAwait(false);
        if (answer.Failure is { } failure)
        {
            return new ReserveResult.Unavailable(failure);
        }

        var (status, contentType, bytes) = (answer.Status, answer.ContentType, answer.Body);
        if (status is 200 or 201 && TryRead(bytes, out var root) && root.TryGetProperty("reservationId", out var id) && id.GetString() is { Length: > 0 } reservationId)
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

    private async Task<SettleResult> SettleAsync(string path, object body, CancellationToken cancellationToken)
    {
        var answer = await PostAsync(path, body, cancellationToken).ConfigureAwait(false);
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

    private async Task<BillingAnswer> PostAsync(string path, object body, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(CallTimeout);
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(path, UriKind.Relative))
        {
            Content = new ByteArrayContent(JsonSerializer.SerializeToUtf8Bytes(body, Json)) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" } } },
        };
        try
        {
            using var response = await invocation.InvokeMethodWithResponseAsync(AppId, request, timeout.Token).ConfigureAwait(false);
            var bytes = await response.Content.ReadAsByteArrayAsync(timeout.Token).ConfigureAwait(false);
            return new BillingAnswer((int)response.StatusCode, response.Content.Headers.ContentType?.ToString(), bytes);
        }
        catch (DaprApiException e)
        {
            return BillingAnswer.Failed("no answer from the sidecar: " + e.GetType().Name);
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
