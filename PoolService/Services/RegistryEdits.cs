using Gateway.PoolService.Model;

namespace Gateway.PoolService.Services;

/// <summary>
/// The admin API's edits, as pure functions of the stored registry and the time (run by
/// <c>BackendRegistry.EditAsync</c>, possibly more than once when a concurrent writer wins).
/// They keep the registry consistent: every backend's pool exists, no alias shadows a model name,
/// a pool with backends cannot be deleted.
/// </summary>
internal static class RegistryEdits
{
    /// <summary>
    /// Creates or replaces a backend. <see cref="BackendDraft.ApiKey"/>: null keeps the stored key,
    /// empty removes it, anything else is sealed (unless it is the key already stored).
    /// </summary>
    public static RegistryEdit PutBackend(RegistryDocument registry, BackendDraft draft, ApiKeyCipher cipher, DateTimeOffset now)
    {
        var record = draft.Record;
        if (!registry.Pools.ContainsKey(record.Pool))
        {
            return RegistryEdit.Invalid("pool", $"there is no pool '{record.Pool}'; create it first with PUT /admin/pools/{record.Pool}");
        }

        if (record.Models.Keys.FirstOrDefault(registry.Aliases.ContainsKey) is { } shadowed)
        {
            return RegistryEdit.Invalid("models", $"'{shadowed}' is an alias; delete the alias before serving a model of that name");
        }

        registry.Backends.TryGetValue(record.Id, out var existing);
        var sealedKey = draft.ApiKey switch
        {
            null => existing?.ApiKey,
            "" => null,
            var plain => existing?.ApiKey is { } stored && cipher.TryOpen(stored, record.Id, out var open) && open == plain
                ? stored
                : cipher.Seal(plain, record.Id),
        };
        record = record with { ApiKey = sealedKey, Source = EntrySource.Admin, UpdatedAt = now };
        if (existing is not null && existing.Source == EntrySource.Admin && existing.ApiKey == sealedKey && existing.SameSettings(record))
        {
            return new RegistryEdit(EditStatus.Unchanged);
        }

        return new RegistryEdit(
            existing is null ? EditStatus.Created : EditStatus.Updated,
            registry with { Backends = registry.Backends.SetItem(record.Id, record) });
    }

    public static RegistryEdit DeleteBackend(RegistryDocument registry, string id) =>
        registry.Backends.ContainsKey(id)
            ? new RegistryEdit(EditStatus.Deleted, registry with { Backends = registry.Backends.Remove(id) })
            : new RegistryEdit(EditStatus.NotFound);

    public static RegistryEdit PutPool(RegistryDocument registry, PoolRecord pool, DateTimeOffset now)
    {
        registry.Pools.TryGetValue(pool.Name, out var existing);
        if (existing is not null && existing.Source == EntrySource.Admin && existing.Order == pool.Order)
        {
            return new RegistryEdit(EditStatus.Unchanged);
        }

        var record = pool with { Source = EntrySource.Admin, UpdatedAt = now };
        return new RegistryEdit(
            existing is null ? EditStatus.Created : EditStatus.Updated,
            registry with { Pools = registry.Pools.SetItem(pool.Name, record) });
    }

    public static RegistryEdit DeletePool(RegistryDocument registry, string name)
    {
        if (!registry.Pools.ContainsKey(name))
        {
            return new RegistryEdit(EditStatus.NotFound);
        }

        var members = registry.Backends.Values.Where(b => b.Pool == name).Select(b => b.Id).Order(StringComparer.Ordinal).ToList();
        return members.Count > 0
            ? new RegistryEdit(EditStatus.Conflict, Detail: $"Pool '{name}' still has backends: {string.Join(", ", members)}. Move or delete them first.")
            : new RegistryEdit(EditStatus.Deleted, registry with { Pools = registry.Pools.Remove(name) });
    }

    public static RegistryEdit PutAlias(RegistryDocument registry, AliasRecord alias, DateTimeOffset now)
    {
        if (registry.Backends.Values.Any(b => b.Models.ContainsKey(alias.Alias)))
        {
            return RegistryEdit.Invalid("alias", $"'{alias.Alias}' is a model name a backend serves; an alias cannot shadow it");
        }

        if (!registry.Backends.Values.Any(b => b.Models.ContainsKey(alias.Model)))
        {
            return RegistryEdit.Invalid("model", $"no backend serves '{alias.Model}'");
        }

        registry.Aliases.TryGetValue(alias.Alias, out var existing);
        if (existing is not null && existing.Source == EntrySource.Admin && existing.Model == alias.Model)
        {
            return new RegistryEdit(EditStatus.Unchanged);
        }

        var record = alias with { Source = EntrySource.Admin, UpdatedAt = now };
        return new RegistryEdit(
            existing is null ? EditStatus.Created : EditStatus.Updated,
            registry with { Aliases = registry.Aliases.SetItem(alias.Alias, record) });
    }

    public static RegistryEdit DeleteAlias(RegistryDocument registry, string alias) =>
        registry.Aliases.ContainsKey(alias)
            ? new RegistryEdit(EditStatus.Deleted, registry with { Aliases = registry.Aliases.Remove(alias) })
            : new RegistryEdit(EditStatus.NotFound);
}
