using System.Text.Json;

namespace Gateway.ServiceDefaults.Dapr;

/// <summary>
/// How the SDK's <c>DaprClient</c> serialises values (its <c>UseJsonSerializationOptions</c>) and how
/// <see cref="StateStoreClient"/> bounds calls and recovers from transient sidecar failures. Bound with
/// <c>services.Configure&lt;DaprClientOptions&gt;(...)</c>; validated when the host starts.
/// </summary>
/// <remarks>
/// Retries apply only to state calls that are safe to repeat: gets and bulk gets, saves without an
/// ETag under last-write concurrency, deletes without an ETag. Conditional writes and transactions
/// are sent exactly once. Invocations and actor calls do not use these options (ProxyService's
/// invocation clients have their own resilience pipelines; see ProxyService/Infrastructure/DaprInvocation.cs).
/// </remarks>
public sealed class DaprClientOptions
{
    /// <summary>
    /// Serialises state values (the SDK's <c>DaprClient</c> is given the same options). Default: <see cref="JsonSerializerDefaults.Web"/>
    /// (camelCase names, case-insensitive reads, numbers readable from strings).
    /// </summary>
    public JsonSerializerOptions JsonSerializerOptions { get; set; } = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Retries after the first attempt of a call that is safe to repeat. Default: 3. Zero disables
    /// retries. At most 10.
    /// </summary>
    public int MaxRetryAttempts { get; set; } = 3;

    /// <summary>
    /// Base of the exponential backoff between retries (with jitter: each delay is drawn around
    /// <c>RetryDelay × 2^attempt</c>). Default: 200 ms.
    /// </summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Upper bound of a single backoff delay. Default: 2 s.</summary>
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Time allowed for one attempt of a state call, from sending to the whole answer read. An
    /// attempt that runs out is retried when the call is safe to repeat; a conditional write or a
    /// transaction that runs out reports <see cref="StateWriteOutcome.Unknown"/>. Default: 10 s; <see cref="Timeout.InfiniteTimeSpan"/>
    /// disables it; otherwise between 10 ms and 24 h.
    /// </summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Time allowed to open a gRPC connection to the sidecar. Default: 5 s.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The problems with these values, empty when they are usable.</summary>
    internal IReadOnlyList<string> Validate()
    {
        List<string> problems = [];
        if (JsonSerializerOptions is null)
        {
            problems.Add("JsonSerializerOptions is required");
        }

        if (MaxRetryAttempts is < 0 or > 10)
        {
            problems.Add($"MaxRetryAttempts must be between 0 and 10, not {MaxRetryAttempts}");
        }

        if (RetryDelay < TimeSpan.Zero || RetryDelay > TimeSpan.FromMinutes(1))
        {
            problems.Add($"RetryDelay must be between 0 and 1 minute, not {RetryDelay}");
        }

        if (RetryMaxDelay <= TimeSpan.Zero || RetryMaxDelay > TimeSpan.FromMinutes(5))
        {
            problems.Add($"RetryMaxDelay must be positive and at most 5 minutes, not {RetryMaxDelay}");
        }

        if (AttemptTimeout != Timeout.InfiniteTimeSpan && (AttemptTimeout < TimeSpan.FromMilliseconds(10) || AttemptTimeout > TimeSpan.FromHours(24)))
        {
            problems.Add($"AttemptTimeout must be infinite or between 10 ms and 24 h, not {AttemptTimeout}");
        }

        if (ConnectTimeout <= TimeSpan.Zero && ConnectTimeout != Timeout.InfiniteTimeSpan)
        {
            problems.Add($"ConnectTimeout must be positive or infinite, not {ConnectTimeout}");
        }

        return problems;
    }
}
