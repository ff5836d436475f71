using Microsoft.Extensions.Options;

namespace Gateway.ProxyService.Infrastructure;

/// <summary>
/// ProxyService settings, bound from the <c>Proxy</c> configuration section (e.g.
/// <c>Proxy__OperatorToken=...</c>) and validated when the host starts. Providers are configured
/// apart, under <c>Providers</c> (see <see cref="ProviderOptions"/>).
/// </summary>
internal sealed class ProxyOptions
{
    public const string SectionName = "Proxy";

    /// <summary>The shortest operator token accepted: a guessable token is worse than none.</summary>
    public const int MinOperatorTokenLength = 16;

    /// <summary>The Dapr state store of the call ledger (transactional, with ETags). Default: <c>statestore</c>.</summary>
    public string StoreName { get; set; } = "statestore";

    /// <summary>The Dapr app id of BillingService. Default: <c>billing</c>.</summary>
    public string BillingAppId { get; set; } = "billing";

    /// <summary>
    /// The bearer token of <c>GET /api/calls/{id}</c>, at least 16 characters. Default: none, and
    /// then the operator API is off (its routes answer 404), never open.
    /// </summary>
    public string? OperatorToken { get; set; }

    /// <summary>Time allowed to open a connection to a provider (all providers share one connection pool). Default: 10 s. Between 100 ms and 2 minutes.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// The largest provider answer to a tracked call (a submit or a query) the proxy reads, keeps in
    /// the ledger and replays; a larger one is answered with 502. Passthrough answers are streamed
    /// and not bounded. Default: 1 MiB. Between 1 KiB and 16 MiB.
    /// </summary>
    public int MaxTrackedResponseBytes { get; set; } = 1024 * 1024;

    /// <summary>
    /// How long a submit that repeats an idempotency key waits for the first one to get its answer
    /// before giving up with 409 <c>idempotency_in_progress</c>. Default: 2 minutes. Between 1 second and 10 minutes.
    /// </summary>
    public TimeSpan IdempotencyWait { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>How long an idempotency key stays bound to its call. Default: 1 day. Between 1 minute and 30 days.</summary>
    public TimeSpan IdempotencyKeyLifetime { get; set; } = TimeSpan.FromDays(1);

    /// <summary>
    /// Time allowed for one call to BillingService (a reserve, finalize or release); one that runs
    /// out counts as BillingService unreachable. Default: 10 s. Between 100 ms and 5 minutes.
    /// </summary>
    public TimeSpan BillingTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Attempts at a ledger write lost to a concurrent writer before giving up with 503. Default: 30. Between 1 and 1000.</summary>
    public int MaxWriteAttempts { get; set; } = 30;

    public SettlementOptions Settlement { get; set; } = new();

    /// <summary>The problems with these values, empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        List<string> problems = [];
        if (string.IsNullOrWhiteSpace(StoreName))
        {
            problems.Add("StoreName is required");
        }

        if (string.IsNullOrWhiteSpace(BillingAppId))
        {
            problems.Add("BillingAppId is required");
        }
        else if (Uri.CheckHostName(BillingAppId) != UriHostNameType.Dns)
        {
            problems.Add($"BillingAppId must be a host name (the app is called as http://{{app id}}/...), not '{BillingAppId}'");
        }

        if (OperatorToken is { } token && token.Trim().Length < MinOperatorTokenLength)
        {
            problems.Add($"OperatorToken must be at least {MinOperatorTokenLength} characters (or unset to turn the operator API off)");
        }

        if (ConnectTimeout < TimeSpan.FromMilliseconds(100) || ConnectTimeout > TimeSpan.FromMinutes(2))
        {
            problems.Add($"ConnectTimeout must be between 100 ms and 2 minutes, not {ConnectTimeout}");
        }

        if (MaxTrackedResponseBytes is < 1024 or > 16 * 1024 * 1024)
        {
            problems.Add($"MaxTrackedResponseBytes must be between 1024 and 16777216, not {MaxTrackedResponseBytes}");
        }

        if (IdempotencyWait < TimeSpan.FromSeconds(1) || IdempotencyWait > TimeSpan.FromMinutes(10))
        {
            problems.Add($"IdempotencyWait must be between 1 second and 10 minutes, not {IdempotencyWait}");
        }

        if (IdempotencyKeyLifetime < TimeSpan.FromMinutes(1) || IdempotencyKeyLifetime > TimeSpan.FromDays(30))
        {
            problems.Add($"IdempotencyKeyLifetime must be between 1 minute and 30 days, not {IdempotencyKeyLifetime}");
        }

        if (BillingTimeout < TimeSpan.FromMilliseconds(100) || BillingTimeout > TimeSpan.FromMinutes(5))
        {
            problems.Add($"BillingTimeout must be between 100 ms and 5 minutes, not {BillingTimeout}");
        }

        if (MaxWriteAttempts is < 1 or > 1000)
        {
            problems.Add($"MaxWriteAttempts must be between 1 and 1000, not {MaxWriteAttempts}");
        }

        problems.AddRange((Settlement ?? new SettlementOptions()).Validate().Select(p => "Settlement:" + p));
        return problems;
    }
}

/// <summary>
/// How a finalize or release that could not reach BillingService is retried (<c>Proxy:Settlement</c>).
/// The n-th retry waits <c>min(InitialRetryDelay × 2^(n−1), MaxRetryDelay)</c> after the failure.
/// </summary>
internal sealed class SettlementOptions
{
    /// <summary>The wait before the first retry. Default: 1 s. Between 10 ms and 10 minutes.</summary>
    public TimeSpan InitialRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait between two retries. Default: 1 minute. Between InitialRetryDelay and 1 hour.</summary>
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How often the retrier reads the index of pending settlements even when nothing woke it (this
    /// is what finds settlements left by another replica, or by this one before a restart).
    /// Default: 10 s. Between 10 ms and 10 minutes.
    /// </summary>
    public TimeSpan ScanInterval { get; set; } = TimeSpan.FromSeconds(10);

    public IReadOnlyList<string> Validate()
    {
        List<string> problems = [];
        if (InitialRetryDelay < TimeSpan.FromMilliseconds(10) || InitialRetryDelay > TimeSpan.FromMinutes(10))
        {
            problems.Add($"InitialRetryDelay must be between 10 ms and 10 minutes, not {InitialRetryDelay}");
        }

        if (MaxRetryDelay < InitialRetryDelay || MaxRetryDelay > TimeSpan.FromHours(1))
        {
            problems.Add($"MaxRetryDelay must be between InitialRetryDelay ({InitialRetryDelay}) and 1 hour, not {MaxRetryDelay}");
        }

        if (ScanInterval < TimeSpan.FromMilliseconds(10) || ScanInterval > TimeSpan.FromMinutes(10))
        {
            problems.Add($"ScanInterval must be between 10 ms and 10 minutes, not {ScanInterval}");
        }

        return problems;
    }

    /// <summary>The wait after the <paramref name="failures"/>-th failed attempt (1 for the first).</summary>
    public TimeSpan RetryDelay(int failures)
    {
        var exponent = Math.Clamp(failures - 1, 0, 30);
        var ticks = Math.Min(InitialRetryDelay.Ticks * Math.Pow(2, exponent), MaxRetryDelay.Ticks);
        return TimeSpan.FromTicks((long)ticks);
    }
}

/// <summary>Runs <see cref="ProxyOptions.Validate"/> when the options are first used (at start, with ValidateOnStart).</summary>
internal sealed class ProxyOptionsValidator : IValidateOptions<ProxyOptions>
{
    public ValidateOptionsResult Validate(string? name, ProxyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems.Select(p => "Proxy:" + p));
    }
}
