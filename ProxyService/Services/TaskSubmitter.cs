using System.Security.Cryptography;
using System.Text.RegularExpressions;
using Gateway.ProxyService.Infrastructure;
using Gateway.ProxyService.Infrastructure.Forwarding;
using Gateway.ProxyService.Model;
using Microsoft.Extensions.Options;

namespace Gateway.ProxyService.Services;

/// <summary>
/// A submit (ARCHITECTURE.md section 5a): claim the idempotency key with the new call record →
/// reserve the funds → forward → record the task, or release the hold with the reason the answer
/// gives. The client's disconnect cancels none of it: once the call exists, its outcome is recorded.
/// </summary>
internal sealed partial class TaskSubmitter(
    CallLedger ledger,
    BillingClient billing,
    CallSettler settler,
    UpstreamForwarder forwarder,
    TimeProvider time,
    IOptions<ProxyOptions> options,
    ILogger<TaskSubmitter> logger)
{
    private const int MaxIdempotencyKeyLength = 200;
    private static readonly TimeSpan ReplayPollInterval = TimeSpan.FromMilliseconds(100);

    private readonly ProxyOptions _options = options.Value;

    public async Task<ProxyAnswer> SubmitAsync(HttpContext context, ProviderDefinition provider, SubmitRoute route, ForwardPath path, Uri destination, byte[] body)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(route);
        ArgumentNullException.ThrowIfNull(path);
        var headers = context.Request.Headers;
        var threadId = headers[GatewayHeaders.ThreadId].ToString().Trim() is { Length: > 0 } id ? id : null;
        if (threadId is not null && !AccountId().IsMatch(threadId))
        {
            return ProxyAnswer.Problem(ProxyProblems.InvalidHeader(GatewayHeaders.ThreadId, "1 to 128 of A-Z a-z 0-9 _ . : -, starting with a letter or digit (a billing account id)"));
        }

        if (threadId is null && provider.Billing.Mode == BillingMode.Required)
        {
            return ProxyAnswer.Problem(ProxyProblems.ThreadIdRequired());
        }

        string? idempotencyKey = null;
        if (headers.TryGetValue(GatewayHeaders.IdempotencyKey, out var keyValues))
        {
            idempotencyKey = keyValues.ToString();
            if (idempotencyKey.Length is 0 or > MaxIdempotencyKeyLength || !idempotencyKey.All(c => c is > ' ' and <= '~'))
            {
                return ProxyAnswer.Problem(ProxyProblems.InvalidHeader(GatewayHeaders.IdempotencyKey, $"1 to {MaxIdempotencyKeyLength} printable ASCII characters without spaces"));
            }
        }

        using var activity = ProxyTelemetry.StartActivity("submit", provider.Name);
        var now = time.GetUtcNow();
        var callId = "call_" + Guid.CreateVersion7(now).ToString("N");
        activity?.SetTag(ProxyTelemetry.CallTag, callId);
        var requestHash = StateKeys.Hash(context.Request.Method.ToUpperInvariant(), path.RawPath, path.RawQuery, Convert.ToHexStringLower(SHA256.HashData(body)));
        var claimKey = idempotencyKey is null ? null : StateKeys.Claim(provider.Name, threadId, idempotencyKey);
        var record = new CallRecord
        {
            CallId = callId,
            Provider = provider.Name,
            Operation = route.Name,
            Status = CallStatus.Reserving,
            AccountId = threadId,
            RequestHash = requestHash,
            IdempotencyClaimKey = claimKey,
            Billing = new BillingHold(provider.Billing.Mode, route.Amount, route.AmountType),
            CreatedAt = now,
            UpdatedAt = now,
        };

        // From here on the outcome is recorded whatever the client does: no request token.
        var created = await ledger.CreateAsync(record, claimKey, CancellationToken.None).ConfigureAwait(false);
        if (!created.Created)
        {
            return await ReplayAsync(created.ExistingClaim!, requestHash, context.RequestAborted).ConfigureAwait(false);
        }

        var reservation = await ReserveAsync(record, provider, route).ConfigureAwait(false);
        var reserved = await ledger.ApplyAsync(callId, _ => reservation, CancellationToken.None).ConfigureAwait(false);
        if (reservation is SubmitRejected rejected)
        {
            ProxyLog.SubmitRejected(logger, callId, provider.Name, rejected.Reason);

            // The provider was never called, so the key is freed: the same key may try again (after a top-up, once billing is back).
            if (claimKey is not null)
            {
                await ledger.ReleaseClaimAsync(claimKey, callId, CancellationToken.None).ConfigureAwait(false);
            }

            return new ProxyAnswer(rejected.Response, callId);
        }

        if (reserved.Outcome == LedgerOutcome.Contention)
        {
            // The store keeps refusing the write: better not to call the provider for a call the
            // ledger cannot follow. The hold, if any, expires by itself in billing.
            return ProxyAnswer.Problem(ProxyProblems.LedgerUnavailable(), callId);
        }

        if (reserved.Record is not { Status: CallStatus.Submitting })
        {
            // Cannot happen: nobody else writes a call before it has a task id.
            throw new InvalidOperationException($"Call {callId} is {reserved.Record?.Status.ToString() ?? "missing"} after its reservation.");
        }

        var exchange = await forwarder.ExchangeAsync(context, provider.Name, provider.Target, destination, body, _options.MaxTrackedResponseBytes).ConfigureAwait(false);
        CallEvent outcome = exchange switch
        {
            UpstreamExchange.Answered answered => ProviderAnswers.ReadSubmit(answered.Response, route, provider.ErrorCodePaths) switch
            {
                SubmitVerdict.Accepted accepted => new TaskAccepted(accepted.TaskId, answered.Response),
                SubmitVerdict.Failed failed => new SubmitFailed(failed.Reason, answered.Response),
                _ => throw new InvalidOperationException("Unknown submit verdict."),
            },
            UpstreamExchange.TooLarge tooLarge => new SubmitFailed(ProviderAnswers.ResponseTooLarge, ProxyProblems.ResponseTooLarge(tooLarge.StatusCode).ToCached()),
            UpstreamExchange.Unreachable unreachable => new SubmitFailed(
                ProviderAnswers.ProviderUnreachable,
                (unreachable.TimedOut ? ProxyProblems.ProviderTimeout() : ProxyProblems.ProviderUnreachable()).ToCached()),
            _ => throw new InvalidOperationException("Unknown exchange outcome."),
        };

        var result = await ledger.ApplyAsync(callId, _ => outcome, CancellationToken.None).ConfigureAwait(false);
        var response = outcome is TaskAccepted a ? a.Response : ((SubmitFailed)outcome).Response;
        if (outcome is SubmitFailed failure)
        {
            ProxyLog.SubmitFailed(logger, callId, provider.Name, failure.Reason);
        }
        else
        {
            ProxyLog.TaskAccepted(logger, callId, provider.Name);
        }

        if (result is { Outcome: LedgerOutcome.Applied, Record.Status: CallStatus.FinalizePending })
        {
            await settler.SettleAsync(result.Record, CancellationToken.None).ConfigureAwait(false);
        }

        return new ProxyAnswer(response, callId);
    }

    private async Task<CallEvent> ReserveAsync(CallRecord record, ProviderDefinition provider, SubmitRoute route)
    {
        if (provider.Billing.Mode == BillingMode.Off)
        {
            return new ReservationSkipped("billing_off");
        }

        if (record.AccountId is null)
        {
            return new ReservationSkipped("no_account");
        }

        var call = new ReserveCall(
            record.AccountId,
            record.CallId,
            provider.Name,
            route.Name,
            route.Amount,
            route.AmountType,
            (long)provider.Billing.ReservationTtl.TotalSeconds,
            // Derived from the call: a repeated reserve finds the same reservation instead of holding twice.
            "proxy:" + record.CallId);
        return await billing.ReserveAsync(call, CancellationToken.None).ConfigureAwait(false) switch
        {
            ReserveResult.Held held => new ReservationHeld(held.ReservationId, held.ExpiresAt),
            ReserveResult.Refused refused => new SubmitRejected($"billing_refused_{refused.Response.StatusCode}", refused.Response),
            _ when provider.Billing.Mode == BillingMode.Optional => new ReservationSkipped("billing_unavailable"),
            _ => new SubmitRejected("billing_unavailable", WithRetryAfter(ProxyProblems.BillingUnavailable().ToCached())),
        };
    }

    /// <summary>
    /// Another request holds the key: a different request is refused; the same one waits for the
    /// first one's answer and replays it (with the first call's id).
    /// </summary>
    private async Task<ProxyAnswer> ReplayAsync(IdempotencyClaim claim, string requestHash, CancellationToken cancellationToken)
    {
        if (!string.Equals(claim.RequestHash, requestHash, StringComparison.Ordinal))
        {
            return ProxyAnswer.Problem(ProxyProblems.IdempotencyConflict(), claim.CallId);
        }

        var started = time.GetUtcNow();
        while (true)
        {
            if (await ledger.GetAsync(claim.CallId, cancellationToken).ConfigureAwait(false) is { SubmitResponse: { } answer })
            {
                return new ProxyAnswer(answer, claim.CallId, Replayed: true);
            }

            var waited = time.GetUtcNow() - started;
            if (waited >= _options.IdempotencyWait)
            {
                ProxyLog.ReplayWaitExpired(logger, claim.CallId, waited);
                return new ProxyAnswer(WithRetryAfter(ProxyProblems.IdempotencyInProgress().ToCached()), claim.CallId);
            }

            await Task.Delay(ReplayPollInterval, time, cancellationToken).ConfigureAwait(false);
        }
    }

    private static CachedResponse WithRetryAfter(CachedResponse response) =>
        response with { Headers = [.. response.Headers, new HeaderValues("Retry-After", ["1"])] };

    /// <summary>BillingService's account id rule: 1 to 128 of A-Z a-z 0-9 _ . : -, starting with a letter or digit.</summary>
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}\\z", RegexOptions.CultureInvariant)]
    private static partial Regex AccountId();
}
