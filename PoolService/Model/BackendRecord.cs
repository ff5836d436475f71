using System.Collections.Immutable;

namespace Gateway.PoolService.Model;

/// <summary>
/// One upstream backend as the registry document stores it (ARCHITECTURE.md section 4). Its
/// limits and health are enforced by the <c>Backend</c> actor of the same id.
/// </summary>
internal sealed record BackendRecord
{
    /// <summary>Lower-case letters, digits, <c>.</c>, <c>_</c>, <c>-</c>; also the Backend actor's id.</summary>
    public required string Id { get; init; }

    /// <summary>The pool it belongs to; the pool must exist.</summary>
    public required string Pool { get; init; }

    /// <summary>Absolute http(s) URL the caller sends requests to (e.g. <c>https://api.openai.com/v1</c>).</summary>
    public required string BaseUrl { get; init; }

    /// <summary>The API key sealed by <see cref="Services.ApiKeyCipher"/> (<c>v1:nonce:ciphertext:tag</c>); null when the backend takes none.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Canonical model name (what callers ask for) → the name this backend knows it by.</summary>
    public required ImmutableDictionary<string, string> Models { get; init; }

    /// <summary>Prices of some or all of <see cref="Models"/>, by canonical name.</summary>
    public ImmutableDictionary<string, ModelPrice> Pricing { get; init; } = ImmutableDictionary<string, ModelPrice>.Empty;

    /// <summary>Requests per rolling minute the backend accepts; enforced by its actor across all replicas.</summary>
    public required int Rpm { get; init; }

    /// <summary>Share of traffic among the backends of one pool serving one model (relative).</summary>
    public int Weight { get; init; } = 1;

    /// <summary>How long the caller should wait for the upstream before giving up.</summary>
    public int TimeoutSeconds { get; init; } = 60;

    /// <summary>A disabled backend gets no leases at all, emergency ones included.</summary>
    public bool Enabled { get; init; } = true;

    /// <summary>Path (under <see cref="BaseUrl"/>) probed with GET; null: not probed.</summary>
    public string? HealthPath { get; init; }

    /// <summary>Seconds between probes of <see cref="HealthPath"/>.</summary>
    public int HealthIntervalSeconds { get; init; } = 30;

    public EntrySource Source { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary>
    /// True when both describe the same backend, ignoring bookkeeping (<see cref="Source"/>,
    /// <see cref="UpdatedAt"/>) and the sealed key, which is compared by the caller after
    /// unsealing (every sealing uses a fresh nonce).
    /// </summary>
    public bool SameSettings(BackendRecord other) =>
        Id == other.Id
        && Pool == other.Pool
        && BaseUrl == other.BaseUrl
        && Rpm == other.Rpm
        && Weight == other.Weight
        && TimeoutSeconds == other.TimeoutSeconds
        && Enabled == other.Enabled
        && HealthPath == other.HealthPath
        && HealthIntervalSeconds == other.HealthIntervalSeconds
        && SameEntries(Models, other.Models)
        && SameEntries(Pricing, other.Pricing);

    private static bool SameEntries<T>(ImmutableDictionary<string, T> left, ImmutableDictionary<string, T> right) =>
        left.Count == right.Count && left.All(e => right.TryGetValue(e.Key, out var value) && EqualityComparer<T>.Default.Equals(e.Value, value));
}
