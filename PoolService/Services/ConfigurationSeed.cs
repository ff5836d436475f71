using Gateway.PoolService.Infrastructure;
using Gateway.PoolService.Model;

namespace Gateway.PoolService.Services;

/// <summary>
/// Merges the configured registry (<see cref="PoolOptions.Pools"/>, <see cref="PoolOptions.Backends"/>,
/// <see cref="PoolOptions.Aliases"/>) into the stored one at start. Configuration wins for the
/// entries it names; configuration entries it no longer names are removed; admin entries stay.
/// Idempotent: replicas starting together all compute the same document, and a start with
/// unchanged configuration writes nothing (a stored key is kept when it opens to the configured one).
/// </summary>
internal static class ConfigurationSeed
{
    public static RegistryEdit Apply(RegistryDocument registry, PoolOptions options, ApiKeyCipher cipher, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(options);
        var next = registry;

        var pools = options.ConfiguredPools().ToDictionary(p => p.Name, StringComparer.Ordinal);
        foreach (var pool in pools.Values)
        {
            if (!(next.Pools.TryGetValue(pool.Name, out var stored) && stored.Source == EntrySource.Configuration && stored.Order == pool.Order))
            {
                next = next with { Pools = next.Pools.SetItem(pool.Name, pool with { UpdatedAt = now }) };
            }
        }

        var backendIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var settings in options.Backends)
        {
            // Validated at start: a configured backend always makes a draft.
            if (!RegistryRules.TryBackend(settings.Id, settings, out var draft, out _))
            {
                continue;
            }

            backendIds.Add(draft.Record.Id);
            next.Backends.TryGetValue(draft.Record.Id, out var stored);
            var sealedKey = string.IsNullOrEmpty(draft.ApiKey) ? null
                : stored?.ApiKey is { } storedKey && cipher.TryOpen(storedKey, draft.Record.Id, out var open) && open == draft.ApiKey ? storedKey
                : cipher.Seal(draft.ApiKey, draft.Record.Id);
            var record = draft.Record with { ApiKey = sealedKey, Source = EntrySource.Configuration, UpdatedAt = now };
            if (!(stored is not null && stored.Source == EntrySource.Configuration && stored.ApiKey == sealedKey && stored.SameSettings(record)))
            {
                next = next with { Backends = next.Backends.SetItem(record.Id, record) };
            }
        }

        foreach (var (alias, model) in options.Aliases)
        {
            if (!(next.Aliases.TryGetValue(alias, out var stored) && stored.Source == EntrySource.Configuration && stored.Model == model))
            {
                next = next with { Aliases = next.Aliases.SetItem(alias, new AliasRecord { Alias = alias, Model = model, Source = EntrySource.Configuration, UpdatedAt = now }) };
            }
        }

        next = next with
        {
            Backends = next.Backends.RemoveRange(next.Backends.Values.Where(b => b.Source == EntrySource.Configuration && !backendIds.Contains(b.Id)).Select(b => b.Id)),
            Aliases = next.Aliases.RemoveRange(next.Aliases.Values.Where(a => a.Source == EntrySource.Configuration && !options.Aliases.ContainsKey(a.Alias)).Select(a => a.Alias)),
        };

        // A configuration pool no longer listed goes too, unless admin backends still live in it.
        var inUse = next.Backends.Values.Select(b => b.Pool).ToHashSet(StringComparer.Ordinal);
        next = next with
        {
            Pools = next.Pools.RemoveRange(next.Pools.Values.Where(p => p.Source == EntrySource.Configuration && !pools.ContainsKey(p.Name) && !inUse.Contains(p.Name)).Select(p => p.Name)),
        };

        return ReferenceEquals(next, registry) || SameEntries(next, registry)
            ? new RegistryEdit(EditStatus.Unchanged)
            : new RegistryEdit(EditStatus.Updated, next);
    }

    // RemoveRange of nothing still builds a new record: compare what matters.
    private static bool SameEntries(RegistryDocument a, RegistryDocument b) =>
        a.Backends == b.Backends && a.Pools == b.Pools && a.Aliases == b.Aliases;
}
