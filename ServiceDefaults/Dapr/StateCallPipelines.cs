using System.Globalization;
using Dapr;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Gateway.ServiceDefaults.Dapr;

/// <summary>
/// The bounds and retries the SDK does not set (DAPR-SDK.md §1: "no deadline is set and nothing is
/// retried"), built once from <see cref="DaprClientOptions"/> and driven by the injected clock.
/// </summary>
internal sealed class StateCallPipelines
{
    public StateCallPipelines(DaprClientOptions options, TimeProvider clock, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.Validate() is [_, ..] problems)
        {
            throw new ArgumentException("Invalid DaprClientOptions: " + string.Join("; ", problems), nameof(options));
        }

        AttemptTimeoutText = options.AttemptTimeout == Timeout.InfiniteTimeSpan
            ? "no bound"
            : options.AttemptTimeout.TotalMilliseconds.ToString(CultureInfo.InvariantCulture) + " ms";
        Once = Bounded(new ResiliencePipelineBuilder { TimeProvider = clock }, options).Build();
        var retried = new ResiliencePipelineBuilder { TimeProvider = clock };
        if (options.MaxRetryAttempts > 0)
        {
            retried.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = options.MaxRetryAttempts,
                Delay = options.RetryDelay,
                MaxDelay = options.RetryMaxDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = static args => ValueTask.FromResult(args.Outcome.Exception is { } e && IsTransient(e, args.Context.CancellationToken)),
                OnRetry = args =>
                {
                    StateLog.Retrying(logger, args.Context.OperationKey ?? "state", args.AttemptNumber + 1, Describe(args.Outcome.Exception!), (long)args.RetryDelay.TotalMilliseconds);
                    return default;
                },
            });
        }

        Retried = Bounded(retried, options).Build();
    }

    /// <summary>Each attempt bounded, failures retried with exponential backoff and jitter: reads, last-write saves, unconditional deletes.</summary>
    public ResiliencePipeline Retried { get; }

    /// <summary>One bounded attempt: conditional writes and transactions, whose repeat could apply twice.</summary>
    public ResiliencePipeline Once { get; }

    public string AttemptTimeoutText { get; }

    /// <summary>
    /// A failure worth another attempt of a call that is safe to repeat: no answer in time, the
    /// sidecar unreachable or out of time, or a store failure (<c>Internal</c>); never a refusal of
    /// the request, never the caller's cancellation.
    /// </summary>
    public static bool IsTransient(Exception exception, CancellationToken callerToken) => exception switch
    {
        TimeoutRejectedException => true,

        // A DeadlineExceeded from the sidecar surfaces as a cancellation the caller did not ask for
        // (ThrowOperationCanceledOnCancellation, which the SDK sets, covers deadlines too).
        OperationCanceledException => !callerToken.IsCancellationRequested,
        DaprException e when SidecarFailure.Of(e) is { } failure => failure.IsTransient,
        _ => false,
    };

    /// <summary>A failure for logs: its status and reason, never a value or key.</summary>
    public static string Describe(Exception exception) => exception switch
    {
        TimeoutRejectedException => "timed out",
        OperationCanceledException => "deadline exceeded at the sidecar",
        DaprException e when SidecarFailure.Of(e) is { } failure => failure.ToString(),
        _ => exception.GetType().Name,
    };

    private static ResiliencePipelineBuilder Bounded(ResiliencePipelineBuilder builder, DaprClientOptions options) =>
        options.AttemptTimeout == Timeout.InfiniteTimeSpan ? builder : builder.AddTimeout(options.AttemptTimeout);
}
