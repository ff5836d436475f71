namespace Gateway.ProxyService.Services.Llm;

internal static partial class LlmLog
{
    [LoggerMessage(300, LogLevel.Warning, "The outcome of lease {LeaseId} on backend {BackendId} was not recorded: {Detail}")]
    public static partial void OutcomeNotRecorded(ILogger logger, string leaseId, string backendId, string detail);

    [LoggerMessage(301, LogLevel.Information, "Backend {BackendId} ({Outcome}) for model {Model}, attempt {Attempt}: trying another backend")]
    public static partial void Retrying(ILogger logger, string backendId, string outcome, string model, int attempt);

    [LoggerMessage(302, LogLevel.Warning, "No lease for model {Model}: PoolService unavailable ({Detail})")]
    public static partial void PoolUnavailable(ILogger logger, string model, string detail);

    [LoggerMessage(303, LogLevel.Information, "Stream of {LeaseId} for model {Model} ended without a usage chunk: estimated {PromptTokens} prompt and {CompletionTokens} completion tokens from what was seen")]
    public static partial void UsageEstimated(ILogger logger, string leaseId, string model, long? promptTokens, long completionTokens);

    [LoggerMessage(304, LogLevel.Warning, "{Count} outcome reports were still queued when the service stopped and were not sent")]
    public static partial void ReportsDropped(ILogger logger, int count);
}
