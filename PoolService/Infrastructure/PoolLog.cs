namespace Gateway.PoolService.Infrastructure;

/// <summary>PoolService's log events: ids, names, counts and outcomes; never API keys, tokens or request bodies.</summary>
internal static partial class PoolLog
{
    [LoggerMessage(1, LogLevel.Information, "Registry stored at version {Version} ({Status})")]
    public static partial void RegistryWritten(ILogger logger, long version, string status);

    [LoggerMessage(2, LogLevel.Debug, "Registry write not confirmed at attempt {Attempt} ({Failure}); re-reading")]
    public static partial void RegistryWriteNotConfirmed(ILogger logger, int attempt, string failure);

    [LoggerMessage(3, LogLevel.Information, "Registry seeded from configuration: {Status}, version {Version}, {Backends} backends, {Pools} pools, {Aliases} aliases")]
    public static partial void RegistrySeeded(ILogger logger, string status, long version, int backends, int pools, int aliases);

    [LoggerMessage(4, LogLevel.Information, "Registry not seeded yet (attempt {Attempt}): the sidecar or its store did not answer ({Reason}); retrying in {Delay}")]
    public static partial void SeedRetry(ILogger logger, int attempt, string reason, TimeSpan delay);

    [LoggerMessage(5, LogLevel.Error, "The API key of backend {BackendId} cannot be opened with the configured encryption key; the backend gets no leases until it is set again")]
    public static partial void KeyUnreadable(ILogger logger, string backendId);

    [LoggerMessage(6, LogLevel.Warning, "Backend actor {BackendId} could not be asked ({Operation}); treating it as unavailable")]
    public static partial void ActorUnavailable(ILogger logger, string backendId, string operation, Exception exception);

    [LoggerMessage(7, LogLevel.Information, "Backend {BackendId} cooling down until {CooldownUntil:o} after {Count} rate-limited answers in a row")]
    public static partial void CooldownStarted(ILogger logger, string backendId, DateTimeOffset? cooldownUntil, int count);

    [LoggerMessage(8, LogLevel.Warning, "Backend {BackendId} ejected until {EjectedUntil:o} after failures in a row")]
    public static partial void Ejected(ILogger logger, string backendId, DateTimeOffset? ejectedUntil);

    [LoggerMessage(9, LogLevel.Debug, "No backend granted a lease for model {Model}; retry after {RetryAfterSeconds} s")]
    public static partial void Exhausted(ILogger logger, string model, long retryAfterSeconds);

    [LoggerMessage(10, LogLevel.Information, "Probe of backend {BackendId} {Result} (HTTP {StatusCode}); state {State}")]
    public static partial void Probed(ILogger logger, string backendId, string result, int? statusCode, string state);

    [LoggerMessage(11, LogLevel.Error, "Health probing pass failed; the next tick tries again")]
    public static partial void ProbePassFailed(ILogger logger, Exception exception);

    [LoggerMessage(12, LogLevel.Warning, "Usage write for backend {BackendId} not confirmed after {Attempts} attempts")]
    public static partial void UsageContention(ILogger logger, string backendId, int attempts);

    [LoggerMessage(14, LogLevel.Information, "Admin {Operation} {Kind} '{Name}': {Status}")]
    public static partial void AdminEdit(ILogger logger, string operation, string kind, string name, string status);
}
