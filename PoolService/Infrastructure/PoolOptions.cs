using Gateway.PoolService.Model;
using Gateway.PoolService.Services;
using Microsoft.Extensions.Options;

namespace Gateway.PoolService.Infrastructure;

/// <summary>
/// PoolService settings, bound from the <c>Pool</c> configuration section (e.g.
/// <c>Pool__AdminToken=...</c>) and validated when the host starts. <see cref="Pools"/>,
/// <see cref="Backends"/> and <see cref="Aliases"/> seed the registry: at every start they are
/// written over the entries they name, and configuration entries no longer listed are removed;
/// entries created through the admin API are kept.
/// </summary>
internal sealed class PoolOptions
{
    public const string SectionName = "Pool";

    /// <summary>The shortest admin token accepted: a guessable token is worse than none.</summary>
    public const int MinAdminTokenLength = 16;

    /// <summary>The Dapr state store of the registry and usage documents (transactional, with ETags). Default: <c>statestore</c>.</summary>
    public string StoreName { get; set; } = "statestore";

    /// <summary>
    /// The bearer token of <c>/admin/*</c>, at least 16 characters. Default: none, and then the
    /// admin API is off (its routes answer 404), never open.
    /// </summary>
    public string? AdminToken { get; set; }

    /// <summary>
    /// Base64 of the 32-byte AES-GCM key that seals backend API keys in the store. Required when
    /// keys must be stored (a configured backend has one, or the admin API is on). Default: none.
    /// </summary>
    public string? EncryptionKey { get; set; }

    /// <summary>
    /// How stale a replica's copy of the registry may get before it reads it again (edits made
    /// through another replica show up within this). Default: 2 s. Between 100 ms and 5 minutes.
    /// </summary>
    public TimeSpan RegistryRefreshInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The Retry-After of a 503 when no backend can tell when it recovers (all disabled or unhealthy). Default: 30 s. Between 1 second and 1 hour.</summary>
    public TimeSpan DefaultRetryAfter { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Attempts at a conditional write lost to a concurrent writer (registry edits, usage) before giving up with 503. Default: 10. Between 1 and 100.</summary>
    public int MaxWriteAttempts { get; set; } = 10;

    /// <summary>How long usage documents are kept (their time to live in the store). Default: 30 days. Between 1 hour and 400 days.</summary>
    public TimeSpan UsageRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>
    /// How long a Backend actor may go without calls before its sidecar deactivates it (its
    /// observations not yet stored are then dropped; decisions are always stored). Default: 60
    /// minutes, daprd's. Between 1 second and 24 hours.
    /// </summary>
    public TimeSpan ActorIdleTimeout { get; set; } = TimeSpan.FromMinutes(60);

    public BackendPolicyOptions Policy { get; set; } = new();

    public ProbingOptions Probing { get; set; } = new();

    /// <summary>Pools, walked by <c>Order</c> (default: the list position).</summary>
    public List<PoolSettings> Pools { get; set; } = [];

    public List<BackendSettings> Backends { get; set; } = [];

    /// <summary>Alias → canonical model name.</summary>
    public Dictionary<string, string> Aliases { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Whether the admin API is on (a token is configured).</summary>
    public bool AdminEnabled => !string.IsNullOrEmpty(AdminToken);

    /// <summary>The problems with these values, each naming its section, entry and field; empty when usable.</summary>
    public IReadOnlyList<string> Validate()
    {
        List<string> problems = [];
        if (string.IsNullOrWhiteSpace(StoreName))
        {
            problems.Add("StoreName is required");
        }

        if (AdminEnabled && AdminToken!.Length < MinAdminTokenLength)
        {
            problems.Add($"AdminToken must be at least {MinAdminTokenLength} characters (or empty to turn the admin API off)");
        }

        CheckEncryptionKey(problems);
        if (RegistryRefreshInterval < TimeSpan.FromMilliseconds(100) || RegistryRefreshInterval > TimeSpan.FromMinutes(5))
        {
            problems.Add($"RegistryRefreshInterval must be between 100 ms and 5 minutes, not {RegistryRefreshInterval}");
        }

        if (DefaultRetryAfter < TimeSpan.FromSeconds(1) || DefaultRetryAfter > TimeSpan.FromHours(1))
        {
            problems.Add($"DefaultRetryAfter must be between 1 second and 1 hour, not {DefaultRetryAfter}");
        }

        if (MaxWriteAttempts is < 1 or > 100)
        {
            problems.Add($"MaxWriteAttempts must be between 1 and 100, not {MaxWriteAttempts}");
        }

        if (UsageRetention < TimeSpan.FromHours(1) || UsageRetention > TimeSpan.FromDays(400))
        {
            problems.Add($"UsageRetention must be between 1 hour and 400 days, not {UsageRetention}");
        }

        if (ActorIdleTimeout < TimeSpan.FromSeconds(1) || ActorIdleTimeout > TimeSpan.FromHours(24))
        {
            problems.Add($"ActorIdleTimeout must be between 1 second and 24 hours, not {ActorIdleTimeout}");
        }

        problems.AddRange((Policy?.Validate() ?? ["is required"]).Select(p => "Policy:" + p));
        problems.AddRange((Probing?.Validate() ?? ["is required"]).Select(p => "Probing:" + p));
        var pools = CheckPools(problems);
        CheckBackends(pools, problems);
        CheckAliases(problems);
        return problems;
    }

    /// <summary>The configured pools with their orders (list position when none is given).</summary>
    public IEnumerable<PoolRecord> ConfiguredPools() =>
        Pools.Select((p, i) => new PoolRecord { Name = p.Name ?? "", Order = p.Order ?? i, Source = EntrySource.Configuration });

    private void CheckEncryptionKey(List<string> problems)
    {
        if (!string.IsNullOrEmpty(EncryptionKey))
        {
            if (!ApiKeyCipher.TryParseKey(EncryptionKey, out _, out var problem))
            {
                problems.Add($"EncryptionKey {problem}");
            }

            return;
        }

        var withKeys = (Backends ?? []).Where(b => !string.IsNullOrEmpty(b.ApiKey)).Select(b => $"'{b.Id}'").ToList();
        if (withKeys.Count > 0 || AdminEnabled)
        {
            var why = withKeys.Count > 0 ? $"backends {string.Join(", ", withKeys)} have API keys" : "the admin API is on and may store API keys";
            problems.Add($"EncryptionKey is required because {why}: set Pool:EncryptionKey to base64 of 32 random bytes (e.g. openssl rand -base64 32)");
        }
    }

    private HashSet<string> CheckPools(List<string> problems)
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        var i = 0;
        foreach (var pool in ConfiguredPools())
        {
            var entry = $"Pools[{i++}]";
            if (!RegistryRules.TryPool(pool.Name, pool.Order, out _, out var errors))
            {
                problems.AddRange(errors.SelectMany(e => e.Value.Select(m => $"{entry} ('{pool.Name}'): {e.Key} {m}")));
            }

            if (!names.Add(pool.Name))
            {
                problems.Add($"{entry}: the pool '{pool.Name}' is listed twice");
            }
        }

        return names;
    }

    private void CheckBackends(HashSet<string> pools, List<string> problems)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Backends.Count; i++)
        {
            var backend = Backends[i];
            var entry = $"Backends[{i}] ('{backend.Id}')";
            if (!RegistryRules.TryBackend(backend.Id, backend, out _, out var errors))
            {
                problems.AddRange(errors.SelectMany(e => e.Value.Select(m => $"{entry}: {e.Key} {m}")));
            }

            if (backend.Pool is not null && RegistryRules.IsId(backend.Pool) && !pools.Contains(backend.Pool))
            {
                problems.Add($"{entry}: pool '{backend.Pool}' is not one of Pool:Pools");
            }

            if (backend.Id is not null && !ids.Add(backend.Id))
            {
                problems.Add($"{entry}: the id '{backend.Id}' is used twice");
            }
        }
    }

    private void CheckAliases(List<string> problems)
    {
        var models = Backends.SelectMany(b => b.Models?.Keys ?? Enumerable.Empty<string>()).ToHashSet(StringComparer.Ordinal);
        foreach (var (alias, model) in Aliases)
        {
            if (!RegistryRules.TryAlias(alias, model, out _, out var errors))
            {
                problems.AddRange(errors.SelectMany(e => e.Value.Select(m => $"Aliases['{alias}']: {e.Key} {m}")));
            }
            else if (models.Contains(alias))
            {
                problems.Add($"Aliases['{alias}']: the alias is itself a model name of a configured backend");
            }
        }
    }
}

/// <summary>Runs <see cref="PoolOptions.Validate"/> when the options are first used (at start, with ValidateOnStart).</summary>
internal sealed class PoolOptionsValidator : IValidateOptions<PoolOptions>
{
    public ValidateOptionsResult Validate(string? name, PoolOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = options.Validate();
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems.Select(p => "Pool:" + p));
    }
}
