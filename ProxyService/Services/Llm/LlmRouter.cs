using System.Collections.Frozen;
using System.Diagnostics;
using System.Globalization;
using Gateway.ProxyService.Apis;
using Gateway.ProxyService.Infrastructure.Forwarding;
using Gateway.ProxyService.Model;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.ProxyService.Services.Llm;

/// <summary>
/// Sends one OpenAI request to a backend of the pools: lease → forward with the backend's key and
/// model name → report the outcome (once per lease) → on a 429, a 5xx, a timeout or a refused
/// connection, lease again excluding the backends tried, up to <see cref="LlmOptions.MaxAttempts"/>.
/// The outcome of the answer the client gets is reported off its path (<see cref="OutcomeReporter"/>).
/// Any other answer of a backend, 4xx included, goes back to the client as it is. Streams
/// (<c>stream: true</c>) pass through event by event.
/// </summary>
internal sealed class LlmRouter(PoolClient pool, OutcomeReporter reporter, UpstreamForwarder forwarder, IOptions<LlmOptions> options, TimeProvider time, ILogger<LlmRouter> logger)
{
    /// <summary>Retry-After when the backends that failed did not say.</summary>
    private const long DefaultRetryAfterSeconds = 1;

    /// <summary>
    /// Client headers that choose which account of the backend's key pays (OpenAI's organization
    /// and project): the gateway's key is not the client's to steer, so they never pass.
    /// </summary>
    private static readonly FrozenSet<string> AccountHeaders = new[] { "OpenAI-Organization", "OpenAI-Project" }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>Forwards a request (streamed or not) to <paramref name="endpoint"/> (e.g. <c>/chat/completions</c>) below the leased backend's base URL.</summary>
    public async Task<IResult> SendAsync(HttpContext context, LlmRequest request, string endpoint)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(request);
        var settings = options.Value;
        var tried = new List<string>();
        long retryAfter = 0;
        for (var attempt = 1; attempt <= settings.MaxAttempts; attempt++)
        {
            var leased = await pool.LeaseAsync(request.Model, tried, context.RequestAborted).ConfigureAwait(false);
            switch (leased)
            {
                case LeaseResult.UnknownModel:
                    return OpenAiError.ModelNotFound(request.Model);
                case LeaseResult.Exhausted exhausted:
                    return OpenAiError.Exhausted(request.Model, Math.Max(Math.Max(exhausted.RetryAfterSeconds, retryAfter), DefaultRetryAfterSeconds));
                case LeaseResult.Unavailable unavailable:
                    LlmLog.PoolUnavailable(logger, request.Model, unavailable.Detail);
                    return OpenAiError.PoolUnavailable();
            }

            var lease = ((LeaseResult.Granted)leased).Lease;
            tried.Add(lease.BackendId);
            var (result, outcome) = await ExchangeAsync(context, request, endpoint, lease).ConfigureAwait(false);
            if (result is not null)
            {
                // The answer is settled: its report need not hold it up.
                await reporter.EnqueueAsync(lease, outcome).ConfigureAwait(false);
                return result;
            }

            // A failure is reported before the next lease, so the backend's cooldown starts at once.
            await pool.ReportAsync(lease, outcome, CancellationToken.None).ConfigureAwait(false);

            retryAfter = Math.Max(retryAfter, outcome.RetryAfterSeconds ?? 0);
            LlmLog.Retrying(logger, lease.BackendId, outcome.Outcome, request.Model, attempt);
        }

        return OpenAiError.Exhausted(request.Model, Math.Max(retryAfter, DefaultRetryAfterSeconds));
    }

    /// <summary>One exchange with one backend: the answer for the client (null: try another backend) and the outcome to report.</summary>
    private async Task<(IResult? Result, CallOutcome Outcome)> ExchangeAsync(HttpContext context, LlmRequest request, string endpoint, Lease lease)
    {
        var started = time.GetTimestamp();
        if (!Uri.TryCreate(lease.BaseUrl.TrimEnd('/') + "/", UriKind.Absolute, out var baseUri) || baseUri.Scheme is not ("http" or "https")
            || !Uri.TryCreate(baseUri, endpoint.TrimStart('/'), out var destination))
        {
            return (null, Outcome(CallOutcome.ConnectError));
        }

        // A backend without a key (a local model server) gets no Authorization header at all: the client's never passes.
        var credential = string.IsNullOrEmpty(lease.ApiKey) ? UpstreamCredential.None : UpstreamCredential.InHeader("Authorization", "Bearer", lease.ApiKey);
        var target = new UpstreamTarget(baseUri, credential, AccountHeaders, TimeSpan.FromSeconds(Math.Max(1, lease.TimeoutSeconds)));
        var body = request.ForBackend(lease.UpstreamModel);
        context.Request.ContentLength = body.Length;
        if (request.Stream)
        {
            return await StreamAsync(context, request, target, destination, body, Outcome).ConfigureAwait(false);
        }

        var exchange = await forwarder.ExchangeAsync(context, lease.BackendId, target, destination, body, options.Value.MaxResponseBodyBytes).ConfigureAwait(false);
        switch (exchange)
        {
            case UpstreamExchange.Answered { Response: var response } when response.StatusCode is >= 200 and < 300:
                var (prompt, completion) = OpenAiUsage.ReadAnswer(response.Body);
                return (new LedgerAnswerResult(response, null, false), Outcome(CallOutcome.Success) with { PromptTokens = prompt, CompletionTokens = completion });
            case UpstreamExchange.Answered { Response: var response } when response.StatusCode == StatusCodes.Status429TooManyRequests:
                return (null, Outcome(CallOutcome.RateLimited) with { RetryAfterSeconds = RetryAfterSeconds(response) });
            case UpstreamExchange.Answered { Response: var response } when response.StatusCode >= 500:
                return (null, Outcome(CallOutcome.ServerError));
            case UpstreamExchange.Answered { Response: var response }:
                return (new LedgerAnswerResult(response, null, false), Outcome(CallOutcome.ClientError));
            case UpstreamExchange.TooLarge:
                return (OpenAiError.BadGateway("The backend's answer was too large."), Outcome(CallOutcome.ServerError));
            case UpstreamExchange.Unreachable { TimedOut: true }:
                return (null, Outcome(CallOutcome.Timeout));
            default:
                return (null, Outcome(CallOutcome.ConnectError));
        }

        CallOutcome Outcome(string outcome) =>
            new(lease.LeaseId, outcome, (long)time.GetElapsedTime(started).TotalMilliseconds, lease.Model);
    }

    /// <summary>
    /// One streamed exchange: the backend's events go to the client as they come, unless its answer
    /// is a 429 or 5xx (held back, try another backend). The usage is read from the stream on its
    /// way out; a client that goes away cancels the upstream call, and what was seen is reported:
    /// the usage chunk if it came, else an estimate of the prompt and of the text streamed so far.
    /// </summary>
    private async Task<(IResult? Result, CallOutcome Outcome)> StreamAsync(HttpContext context, LlmRequest request, UpstreamTarget target, Uri destination, byte[] body, Func<string, CallOutcome> outcome)
    {
        var transformer = new BackendStreamTransformer(UpstreamTransformer.Streaming(target, destination));
        var (requestBody, responseBody) = (context.Request.Body, context.Response.Body);
        var observer = new SseUsageObserver(responseBody, request.ClientAskedForUsage);
        context.Request.Body = new MemoryStream(body, writable: false);
        context.Response.Body = observer;
        ForwarderError error;
        try
        {
            error = await forwarder.ForwardAsync(context, target, transformer).ConfigureAwait(false);
        }
        finally
        {
            (context.Request.Body, context.Response.Body) = (requestBody, responseBody);
        }

        if (transformer.HeldBack)
        {
            context.Response.Clear();
            return transformer.Status == StatusCodes.Status429TooManyRequests
                ? (null, outcome(CallOutcome.RateLimited) with { RetryAfterSeconds = RetryAfterSeconds(transformer.RetryAfter) })
                : (null, outcome(CallOutcome.ServerError));
        }

        if (!context.Response.HasStarted)
        {
            // Nothing reached the client: YARP's own error status is dropped, another backend may serve.
            context.Response.Clear();
            return (null, outcome(error == ForwarderError.RequestTimedOut ? CallOutcome.Timeout : CallOutcome.ConnectError));
        }

        var clientLeft = context.RequestAborted.IsCancellationRequested;
        if (!clientLeft)
        {
            try
            {
                await observer.FinishAsync(context.RequestAborted).ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException)
            {
                clientLeft = true;
            }
        }

        var served = error == ForwarderError.None || clientLeft;
        var kind = !served ? CallOutcome.ServerError
            : transformer.Status is >= 200 and < 300 ? CallOutcome.Success
            : CallOutcome.ClientError;
        var reported = outcome(kind);
        if (observer.PromptTokens is not null || observer.CompletionTokens is not null)
        {
            return (Results.Empty, reported with { PromptTokens = observer.PromptTokens, CompletionTokens = observer.CompletionTokens });
        }

        if (kind == CallOutcome.ClientError)
        {
            return (Results.Empty, reported);
        }

        // No usage chunk (the stream was cut, or the backend ignores include_usage): what was seen, estimated.
        var estimate = reported with { PromptTokens = request.EstimatedPromptTokens(), CompletionTokens = TokenEstimate.OfCharacters(observer.CompletionCharacters) };
        LlmLog.UsageEstimated(logger, reported.LeaseId, request.Model, estimate.PromptTokens, estimate.CompletionTokens ?? 0);
        return (Results.Empty, estimate);
    }

    private long? RetryAfterSeconds(CachedResponse response) =>
        RetryAfterSeconds(response.Headers.FirstOrDefault(h => string.Equals(h.Name, "Retry-After", StringComparison.OrdinalIgnoreCase))?.Values.FirstOrDefault());

    private long? RetryAfterSeconds(string? value)
    {
        if (value is null)
        {
            return null;
        }

        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
        {
            return seconds;
        }

        return DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? Math.Max(0, (long)Math.Ceiling((at - time.GetUtcNow()).TotalSeconds))
            : null;
    }
}
