namespace Gateway.ProxyService.Services.Llm;

internal static partial class LlmLog
{
    [LoggerMessage(300, LogLevel.Warning, "The outcome of lease {LeaseId} on backend {BackendId} was not recorded: {Detail}")]
    public static partial void OutcomeNotRecorded(ILogger logger, string leaseId, string backendId, string detail);

    [LoggerMessage(301, LogLevel.Information, "Backend {BackendId} ({Outcome}) for model {Model}, attempt {Attempt}: trying another backend")]
    public static partial void Retrying(ILogger logger, string backendId, string outcome, string model, int attempt);

    [LoggerMessage(302, LogLevel.Warning, "No lease for model {Model}: PoolService unavailable ({Detail})")]
    public static partial void PoolUnavailable(ILogger logger, string model, string detail);
}
