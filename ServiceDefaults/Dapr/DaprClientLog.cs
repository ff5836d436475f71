using System.Net;
using Microsoft.Extensions.Logging;

namespace Gateway.ServiceDefaults.Dapr;

/// <summary>The Dapr client's log events: operation, store or app id, status and error code; never keys, values, tokens or headers.</summary>
internal static partial class DaprClientLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Dapr {Operation} attempt {Attempt} failed ({Failure}); retrying in {DelayMs} ms")]
    public static partial void Retrying(ILogger logger, string operation, int attempt, string failure, long delayMs);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Dapr {Operation} on '{Target}' failed: {StatusCode} {ErrorCode}")]
    public static partial void CallFailed(ILogger logger, string operation, string target, int? statusCode, string? errorCode);

    [LoggerMessage(EventId = 3, Level = LogLevel.Debug, Message = "Dapr {Operation} on '{Target}' got no answer after {Attempts} attempt(s): {Failure}")]
    public static partial void NoAnswer(ILogger logger, string operation, string target, int attempts, string failure);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "Dapr {Operation} on store '{Store}' not confirmed ({Failure}): {StatusCode} {ErrorCode}")]
    public static partial void WriteNotConfirmed(ILogger logger, string operation, string store, StateWriteFailure failure, int? statusCode, string? errorCode);

    public static int? Status(HttpStatusCode? status) => status is { } s ? (int)s : null;
}
