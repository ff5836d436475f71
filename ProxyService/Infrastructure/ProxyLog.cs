namespace Gateway.ProxyService.Infrastructure;

/// <summary>
/// The proxy's log lines. Ids, names, statuses, reasons and amounts only: never a credential, a
/// header, a body, an idempotency key or an upstream URL (its query may carry a credential).
/// </summary>
internal static partial class ProxyLog
{
    [LoggerMessage(1, LogLevel.Information, "Call {CallId} to provider {Provider}: task accepted")]
    public static partial void TaskAccepted(ILogger logger, string callId, string provider);

    [LoggerMessage(2, LogLevel.Warning, "Call {CallId} to provider {Provider}: submit failed ({Reason})")]
    public static partial void SubmitFailed(ILogger logger, string callId, string provider, string reason);

    [LoggerMessage(3, LogLevel.Information, "Call {CallId} to provider {Provider}: rejected before the provider was called ({Reason})")]
    public static partial void SubmitRejected(ILogger logger, string callId, string provider, string reason);

    [LoggerMessage(4, LogLevel.Information, "Call {CallId}: task ended, outcome {Outcome}, amount {Amount}")]
    public static partial void TaskEnded(ILogger logger, string callId, string outcome, long amount);

    [LoggerMessage(5, LogLevel.Information, "Call {CallId}: {Kind} landed in billing as {Result}, charged {Charged}")]
    public static partial void SettlementLanded(ILogger logger, string callId, string kind, string result, long? charged);

    [LoggerMessage(6, LogLevel.Warning, "Call {CallId}: {Kind} did not reach billing ({Error}); attempt {Failures} failed, next at {NextAttemptAt:o}")]
    public static partial void SettlementDeferred(ILogger logger, string callId, string kind, string error, int failures, DateTimeOffset nextAttemptAt);

    [LoggerMessage(7, LogLevel.Error, "Call {CallId}: billing gave the reservation's final word as {Result} instead of the {Kind}; the call is not charged as decided")]
    public static partial void SettlementOverruled(ILogger logger, string callId, string kind, string result);

    [LoggerMessage(8, LogLevel.Warning, "Call {CallId}: the ledger write lost to concurrent writers {Attempts} times in a row")]
    public static partial void LedgerContention(ILogger logger, string callId, int attempts);

    [LoggerMessage(9, LogLevel.Error, "Call {CallId}: {Why}")]
    public static partial void TransitionRefused(ILogger logger, string callId, string why);

    [LoggerMessage(10, LogLevel.Warning, "Billing {Operation} attempt {Attempt} got no usable answer: {Detail}")]
    public static partial void BillingUnavailable(ILogger logger, string operation, int attempt, string detail);

    [LoggerMessage(11, LogLevel.Error, "The settlement retrier's pass failed; it tries again later")]
    public static partial void RetrierPassFailed(ILogger logger, Exception exception);

    [LoggerMessage(12, LogLevel.Information, "Settlement retrier: {Count} pending settlement(s) in the index")]
    public static partial void PendingFound(ILogger logger, int count);

    [LoggerMessage(13, LogLevel.Error, "The call ledger could not be read or written")]
    public static partial void LedgerUnavailable(ILogger logger, Exception exception);

    [LoggerMessage(14, LogLevel.Warning, "Call {CallId}: the idempotent replay waited {Waited} without an answer from the first request")]
    public static partial void ReplayWaitExpired(ILogger logger, string callId, TimeSpan waited);
}
