namespace Gateway.FakeOpenAiBackend.Infrastructure;

internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Applying {Behavior} to {Method} {Path}")]
    public static partial void Misbehaving(ILogger logger, string behavior, string method, string path);

    [LoggerMessage(EventId = 2, Level = LogLevel.Information, Message = "Instance behavior set to {Behavior} for the next {Times} requests (null: until cleared)")]
    public static partial void InstanceBehaviorSet(ILogger logger, string behavior, int? times);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "Instance behavior cleared")]
    public static partial void InstanceBehaviorCleared(ILogger logger);

    [LoggerMessage(EventId = 4, Level = LogLevel.Information, Message = "Refused {Method} {Path}: {Reason}")]
    public static partial void Refused(ILogger logger, string method, string path, string reason);
}
