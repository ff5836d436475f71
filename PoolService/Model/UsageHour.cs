using System.Collections.Immutable;

namespace Gateway.PoolService.Model;

/// <summary>
/// One hour of one backend's usage of one model (<see cref="StateKeys.UsageHour"/>), by minute of
/// the hour. Written by read-modify-write on its ETag, so concurrent reports never lose counts;
/// <see cref="Recent"/> holds the ids of the last reports applied, so a write whose answer was lost
/// (and a caller repeating a report) is not counted twice.
/// </summary>
internal sealed record UsageHour
{
    /// <summary>Report ids kept for recognising repeats: far more than can land between one write and its re-read.</summary>
    public const int RecentCapacity = 64;

    public required string BackendId { get; init; }

    public required string Model { get; init; }

    public required DateTimeOffset Hour { get; init; }

    /// <summary>Minute of the hour (0–59) → its figures; minutes without calls are absent.</summary>
    public ImmutableDictionary<int, UsageBucket> Minutes { get; init; } = ImmutableDictionary<int, UsageBucket>.Empty;

    /// <summary>Ids of the last reports applied, oldest first.</summary>
    public ImmutableArray<string> Recent { get; init; } = [];

    public bool Applied(string reportId) => Recent.Contains(reportId, StringComparer.Ordinal);

    /// <summary>This hour with <paramref name="report"/> added to its minute.</summary>
    public UsageHour Apply(UsageReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        var minute = report.At.ToUniversalTime().Minute;
        var bucket = Minutes.GetValueOrDefault(minute) ?? UsageBucket.Empty;
        var recent = Recent.Length >= RecentCapacity ? Recent.RemoveRange(0, Recent.Length - RecentCapacity + 1) : Recent;
        return this with { Minutes = Minutes.SetItem(minute, bucket.Add(report)), Recent = recent.Add(report.Id) };
    }
}

/// <summary>The figures of one backend, model and minute (or a sum of such).</summary>
internal sealed record UsageBucket
{
    public static UsageBucket Empty { get; } = new();

    public long Requests { get; init; }

    public long Successes { get; init; }

    public long RateLimited { get; init; }

    public long Timeouts { get; init; }

    public long ConnectErrors { get; init; }

    public long ServerErrors { get; init; }

    public long ClientErrors { get; init; }

    public long PromptTokens { get; init; }

    public long CompletionTokens { get; init; }

    public decimal Cost { get; init; }

    /// <summary>Sum of the reported latencies (for the mean: divide by <see cref="LatencySamples"/>).</summary>
    public double LatencyMsTotal { get; init; }

    public double LatencyMsMax { get; init; }

    public long LatencySamples { get; init; }

    public UsageBucket Add(UsageReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return this with
        {
            Requests = Requests + 1,
            Successes = Successes + (report.Outcome == OutcomeKind.Success ? 1 : 0),
            RateLimited = RateLimited + (report.Outcome == OutcomeKind.RateLimited ? 1 : 0),
            Timeouts = Timeouts + (report.Outcome == OutcomeKind.Timeout ? 1 : 0),
            ConnectErrors = ConnectErrors + (report.Outcome == OutcomeKind.ConnectError ? 1 : 0),
            ServerErrors = ServerErrors + (report.Outcome == OutcomeKind.ServerError ? 1 : 0),
            ClientErrors = ClientErrors + (report.Outcome == OutcomeKind.ClientError ? 1 : 0),
            PromptTokens = PromptTokens + (report.PromptTokens ?? 0),
            CompletionTokens = CompletionTokens + (report.CompletionTokens ?? 0),
            Cost = Cost + (report.Cost ?? 0),
            LatencyMsTotal = LatencyMsTotal + (report.LatencyMs ?? 0),
            LatencyMsMax = Math.Max(LatencyMsMax, report.LatencyMs ?? 0),
            LatencySamples = LatencySamples + (report.LatencyMs is null ? 0 : 1),
        };
    }

    public UsageBucket Plus(UsageBucket other)
    {
        ArgumentNullException.ThrowIfNull(other);
        return new UsageBucket
        {
            Requests = Requests + other.Requests,
            Successes = Successes + other.Successes,
            RateLimited = RateLimited + other.RateLimited,
            Timeouts = Timeouts + other.Timeouts,
            ConnectErrors = ConnectErrors + other.ConnectErrors,
            ServerErrors = ServerErrors + other.ServerErrors,
            ClientErrors = ClientErrors + other.ClientErrors,
            PromptTokens = PromptTokens + other.PromptTokens,
            CompletionTokens = CompletionTokens + other.CompletionTokens,
            Cost = Cost + other.Cost,
            LatencyMsTotal = LatencyMsTotal + other.LatencyMsTotal,
            LatencyMsMax = Math.Max(LatencyMsMax, other.LatencyMsMax),
            LatencySamples = LatencySamples + other.LatencySamples,
        };
    }
}

/// <summary>
/// One reported call, as usage records it. <c>Id</c> is the report's id (the lease id when given),
/// by which a repeat is recognised; <c>At</c> is when it was reported (its minute).
/// </summary>
internal sealed record UsageReport(
    string Id,
    string BackendId,
    string Model,
    DateTimeOffset At,
    OutcomeKind Outcome,
    double? LatencyMs,
    long? PromptTokens,
    long? CompletionTokens,
    decimal? Cost);

/// <summary>Which backend/model pairs have usage in one hour (<see cref="StateKeys.UsageIndex"/>), so a query knows which hour documents to read.</summary>
internal sealed record UsageIndex
{
    public required DateTimeOffset Hour { get; init; }

    public ImmutableArray<UsagePair> Pairs { get; init; } = [];
}

internal sealed record UsagePair(string BackendId, string Model);
