using Microsoft.Extensions.Logging;

namespace Gateway.ServiceDefaults.Actors;

/// <summary>The actor runtime's log events: actor type, id, method and outcome; never state values, request bodies or headers.</summary>
internal static partial class ActorLog
{
    [LoggerMessage(EventId = 101, Level = LogLevel.Debug, Message = "Actor {ActorType}/{ActorId} activated")]
    public static partial void Activated(ILogger logger, string actorType, string actorId);

    [LoggerMessage(EventId = 102, Level = LogLevel.Error, Message = "Actor {ActorType}/{ActorId} failed to activate")]
    public static partial void ActivationFailed(ILogger logger, string actorType, string actorId, Exception exception);

    [LoggerMessage(EventId = 103, Level = LogLevel.Debug, Message = "Actor {ActorType}/{ActorId} deactivated")]
    public static partial void Deactivated(ILogger logger, string actorType, string actorId);

    [LoggerMessage(EventId = 104, Level = LogLevel.Error, Message = "Actor {ActorType}/{ActorId} failed to deactivate; the instance is dropped anyway")]
    public static partial void DeactivationFailed(ILogger logger, string actorType, string actorId, Exception exception);

    [LoggerMessage(EventId = 105, Level = LogLevel.Error, Message = "Actor {ActorType}/{ActorId} {Call} '{Method}' failed; its state changes were dropped")]
    public static partial void CallFailed(ILogger logger, string actorType, string actorId, string call, string method, Exception exception);

    [LoggerMessage(EventId = 106, Level = LogLevel.Debug, Message = "Actor call refused with {StatusCode}: {Reason} ({ActorType} {Call} '{Method}')")]
    public static partial void CallRefused(ILogger logger, int statusCode, string reason, string actorType, string call, string method);

    [LoggerMessage(EventId = 107, Level = LogLevel.Debug, Message = "Actor {ActorType}/{ActorId} cancels its {Call} '{Name}'")]
    public static partial void Cancelling(ILogger logger, string actorType, string actorId, string call, string name);
}
