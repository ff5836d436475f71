using Grpc.Core;
using Microsoft.Extensions.Logging;

namespace Gateway.ServiceDefaults.Dapr;

/// <summary>The state adapter's log events: operation, store, status and reason; never keys, values, tokens or headers.</summary>
internal static partial class StateLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Dapr {Operation} attempt {Attempt} failed ({Failure}); retrying in {DelayMs} ms")]
    public static partial void Retrying(ILogger logger, string operation, int attempt, string failure, long delayMs);

    [LoggerMessage(EventId = 2, Level = LogLevel.Debug, Message = "Dapr {Operation} on store '{Store}' failed: {Failure}")]
    public static partial void CallFailed(ILogger logger, string operation, string store, string failure);

    [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "Dapr {Operation} on store '{Store}' not confirmed ({Failure}): {StatusCode} {Reason}")]
    public static partial void WriteNotConfirmed(ILogger logger, string operation, string store, StateWriteFailure failure, StatusCode? statusCode, string? reason);
}
