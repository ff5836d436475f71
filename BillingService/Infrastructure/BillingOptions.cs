using Microsoft.Extensions.Options;

namespace Gateway.BillingService.Infrastructure;

/// <summary>
/// BillingService settings, bound from the <c>Billing</c> configuration section (e.g.
/// <c>Billing__DefaultReservationTtl=00:05:00</c>) and validated when the host starts.
/// </summary>
internal sealed class BillingOptions
{
    public const string SectionName = "Billing";

    /// <summary>The shortest operator token accepted: a guessable token is worse than none.</summary>
    public const int MinOperatorTokenLength = 16;

    /// <summary>
    /// The bearer token of the operator endpoints (credits, credit limits, and the reads of
    /// accounts, entries and reservations): at least 16 printable characters without spaces.
    /// Default: none (unset or empty), and then those endpoints answer 404, as if they did not
    /// exist: closed, never open. Reserve, finalize and release never need it.
    /// </summary>
    public string? OperatorToken { get; set; }

    /// <summary>True when <see cref="OperatorToken"/> is set: the operator endpoints are on.</summary>
    public bool OperatorEndpointsEnabled => !string.IsNullOrEmpty(OperatorToken);

    /// <summary>The Dapr state store holding every billing document; it must be transactional with ETags. Default: <c>statestore</c>.</summary>
    public string StoreName { get; set; } = "statestore";

    /// <summary>The lifetime of a reservation that asks for none (<c>ttlSeconds</c> omitted). Default: 15 minutes. Between 1 second and <see cref="MaxReservationTtl"/>.</summary>
    public TimeSpan DefaultReservationTtl { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>The longest lifetime a reservation may ask for. Default: 1 day. At most 30 days.</summary>
    public TimeSpan MaxReservationTtl { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How often the sweeper looks for expired reservations. Default: 10 seconds. Between 100 ms and 1 hour.</summary>
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long after a bucket's end the sweeper keeps re-checking it before passing it for good.
    /// It must exceed the longest a reserve transaction can take (the Dapr client's attempt
    /// timeout, 10 s by default) plus the clock skew between replicas, because a reserve indexed
    /// into a bucket already passed would never be swept. Default: 1 minute. Between 1 second and 1 hour.
    /// </summary>
    public TimeSpan SweepGrace { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// Where the very first sweep starts, before now, when no cursor exists yet (a new store):
    /// covers reservations made before any sweeper ran. Default: 10 minutes. Between 0 and 1 day.
    /// </summary>
    public TimeSpan InitialSweepLookback { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The most expiry buckets (<see cref="Model.ExpiryBuckets.Width"/> each) one sweep pass walks; a sweeper behind catches up over
    /// several passes. Default: 360 (an hour). Between 1 and 100,000.
    /// </summary>
    public int MaxBucketsPerSweep { get; set; } = 360;

    /// <summary>
    /// Shards of the expiry index, and lanes of in-process serialisation (accounts are hashed onto
    /// both). More shards mean less contention between accounts on the index documents. May be
    /// raised, never lowered while reservations are open (the sweeper reads shards below this
    /// number only). Default: 16. Between 1 and 256.
    /// </summary>
    public int ExpiryShards { get; set; } = 16;

    /// <summary>
    /// Attempts at a state transaction that is not confirmed (lost to a concurrent writer or
    /// unanswered) before answering 503: each re-reads and decides again. Default: 10. Between 1 and 100.
    /// </summary>
    public int MaxWriteAttempts { get; set; } = 10;

    /// <summary>The problems with these values, empty when they are usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        List<string> problems = [];
        if (string.IsNullOrWhiteSpace(StoreName))
        {
            problems.Add("StoreName is required");
        }

        if (MaxReservationTtl < TimeSpan.FromSeconds(1) || MaxReservationTtl > TimeSpan.FromDays(30))
        {
            problems.Add($"MaxReservationTtl must be between 1 second and 30 days, not {MaxReservationTtl}");
        }

        if (DefaultReservationTtl < TimeSpan.FromSeconds(1) || DefaultReservationTtl > MaxReservationTtl)
        {
            problems.Add($"DefaultReservationTtl must be between 1 second and MaxReservationTtl ({MaxReservationTtl}), not {DefaultReservationTtl}");
        }

        if (SweepInterval < TimeSpan.FromMilliseconds(100) || SweepInterval > TimeSpan.FromHours(1))
        {
            problems.Add($"SweepInterval must be between 100 ms and 1 hour, not {SweepInterval}");
        }

        if (SweepGrace < TimeSpan.FromSeconds(1) || SweepGrace > TimeSpan.FromHours(1))
        {
            problems.Add($"SweepGrace must be between 1 second and 1 hour, not {SweepGrace}");
        }

        if (InitialSweepLookback < TimeSpan.Zero || InitialSweepLookback > TimeSpan.FromDays(1))
        {
            problems.Add($"InitialSweepLookback must be between 0 and 1 day, not {InitialSweepLookback}");
        }

        if (MaxBucketsPerSweep is < 1 or > 100_000)
        {
            problems.Add($"MaxBucketsPerSweep must be between 1 and 100000, not {MaxBucketsPerSweep}");
        }

        if (ExpiryShards is < 1 or > 256)
        {
            problems.Add($"ExpiryShards must be between 1 and 256, not {ExpiryShards}");
        }

        if (OperatorEndpointsEnabled && (OperatorToken!.Length < MinOperatorTokenLength || !OperatorToken.All(c => c is > ' ' and <= '~')))
        {
            problems.Add($"OperatorToken must be at least {MinOperatorTokenLength} printable ASCII characters without spaces (or unset to turn the operator endpoints off)");
        }

        if (MaxWriteAttempts is < 1 or > 100)
        {
            problems.Add($"MaxWriteAttempts must be between 1 and 100, not {MaxWriteAttempts}");
        }

        return problems;
    }
}

/// <summary>Runs <see cref="BillingOptions.Validate"/> when the options are first used (at start, with ValidateOnStart).</summary>
internal sealed class BillingOptionsValidator : IValidateOptions<BillingOptions>
{
    public ValidateOptionsResult Validate(string? name, BillingOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems.Select(p => "Billing: " + p));
    }
}
