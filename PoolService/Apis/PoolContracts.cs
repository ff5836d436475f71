using System.Collections.Immutable;
using Gateway.PoolService.Model;
using Gateway.PoolService.Services;

namespace Gateway.PoolService.Apis;

/// <summary><c>POST /leases</c>: the model the caller asked for (canonical or alias) and backends to skip (e.g. ones that just failed).</summary>
internal sealed record LeaseRequest(string? Model, string[]? Exclude);

/// <summary>
/// A granted lease. <c>apiKey</c> is the backend's key in plain text: this API is internal (reached
/// through Dapr invocation by ProxyService) and the only place a key ever leaves the service.
/// <c>leaseId</c> goes back with the outcome report.
/// </summary>
internal sealed record LeaseView(
    string LeaseId,
    string BackendId,
    string BaseUrl,
    string Model,
    string UpstreamModel,
    string? ApiKey,
    int TimeoutSeconds,
    string Pool,
    bool Emergency,
    ModelPrice? Pricing)
{
    public static LeaseView From(Lease lease) => new(
        lease.LeaseId.ToString(),
        lease.BackendId,
        lease.BaseUrl,
        lease.Model,
        lease.UpstreamModel,
        lease.ApiKey,
        lease.TimeoutSeconds,
        lease.Pool,
        lease.Emergency,
        lease.Pricing);
}

/// <summary>
/// <c>POST /backends/{id}/outcomes</c>: how one leased call ended. <c>cost</c>, when omitted, is
/// computed from the backend's pricing of the model and the tokens.
/// </summary>
internal sealed record OutcomeRequest(
    string? LeaseId,
    OutcomeKind? Outcome,
    double? LatencyMs,
    double? RetryAfterSeconds,
    string? Model,
    long? PromptTokens,
    long? CompletionTokens,
    decimal? Cost);

/// <summary>
/// The answer to an outcome report: whether usage recorded it (false for a repeat of the same
/// lease id), whether the backend's actor applied it, and the backend's status after it.
/// </summary>
internal sealed record OutcomeView(bool Recorded, bool Duplicate, bool Applied, decimal? Cost, BackendStatus? Status);

/// <summary><c>GET /usage</c>: the minutes with usage in [from, to), and their totals.</summary>
internal sealed record UsageView(DateTimeOffset From, DateTimeOffset To, string? Backend, string? Model, IReadOnlyList<UsageMinuteView> Minutes, UsageFigures Totals);

internal sealed record UsageMinuteView(string BackendId, string Model, DateTimeOffset Minute, UsageFigures Figures);

/// <summary>One bucket's figures; <c>errors</c> counts every outcome but success, <c>latencyMsAvg</c> is over the calls that reported a latency.</summary>
internal sealed record UsageFigures(
    long Requests,
    long Successes,
    long Errors,
    long RateLimited,
    long Timeouts,
    long ConnectErrors,
    long ServerErrors,
    long ClientErrors,
    long PromptTokens,
    long CompletionTokens,
    decimal Cost,
    double? LatencyMsAvg,
    double LatencyMsMax)
{
    public static UsageFigures From(UsageBucket bucket) => new(
        bucket.Requests,
        bucket.Successes,
        bucket.Requests - bucket.Successes,
        bucket.RateLimited,
        bucket.Timeouts,
        bucket.ConnectErrors,
        bucket.ServerErrors,
        bucket.ClientErrors,
        bucket.PromptTokens,
        bucket.CompletionTokens,
        bucket.Cost,
        bucket.LatencySamples == 0 ? null : bucket.LatencyMsTotal / bucket.LatencySamples,
        bucket.LatencyMsMax);
}

/// <summary>
/// A backend as the admin API shows it: the key only masked (<c>sk-…abcd</c>); <c>apiKeyStatus</c>
/// is <c>none</c>, <c>set</c>, or <c>unreadable</c> (sealed under another encryption key).
/// </summary>
internal sealed record BackendView(
    string Id,
    string Pool,
    string BaseUrl,
    string? ApiKey,
    string ApiKeyStatus,
    ImmutableSortedDictionary<string, string> Models,
    ImmutableSortedDictionary<string, ModelPrice> Pricing,
    int Rpm,
    int Weight,
    int TimeoutSeconds,
    bool Enabled,
    string? HealthPath,
    int HealthIntervalSeconds,
    EntrySource Source,
    DateTimeOffset UpdatedAt)
{
    public static BackendView From(BackendRecord backend, ApiKeyCipher cipher)
    {
        string? masked = null;
        var status = "none";
        if (backend.ApiKey is { } sealedKey)
        {
            (masked, status) = cipher.TryOpen(sealedKey, backend.Id, out var key) ? (ApiKeyCipher.Mask(key), "set") : ("…", "unreadable");
        }

        return new BackendView(
            backend.Id,
            backend.Pool,
            backend.BaseUrl,
            masked,
            status,
            backend.Models.ToImmutableSortedDictionary(StringComparer.Ordinal),
            backend.Pricing.ToImmutableSortedDictionary(StringComparer.Ordinal),
            backend.Rpm,
            backend.Weight,
            backend.TimeoutSeconds,
            backend.Enabled,
            backend.HealthPath,
            backend.HealthIntervalSeconds,
            backend.Source,
            backend.UpdatedAt);
    }
}

/// <summary>A pool as the admin API shows it, with the ids of its backends.</summary>
internal sealed record PoolView(string Name, int Order, IReadOnlyList<string> Backends, EntrySource Source, DateTimeOffset UpdatedAt)
{
    public static PoolView From(PoolRecord pool, RegistryDocument registry) => new(
        pool.Name,
        pool.Order,
        [.. registry.Backends.Values.Where(b => b.Pool == pool.Name).Select(b => b.Id).Order(StringComparer.Ordinal)],
        pool.Source,
        pool.UpdatedAt);
}

internal sealed record AliasView(string Alias, string Model, EntrySource Source, DateTimeOffset UpdatedAt)
{
    public static AliasView From(AliasRecord alias) => new(alias.Alias, alias.Model, alias.Source, alias.UpdatedAt);
}
