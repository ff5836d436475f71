using System.Collections.Frozen;
using Gateway.PoolService.Model;

namespace Gateway.PoolService.Services;

/// <summary>
/// A registry document indexed for leases: pools in walk order, the backends of each pool by
/// canonical model, and model names (canonical and aliases). Immutable; a replica swaps in a new
/// one when the document changes.
/// </summary>
internal sealed class RegistryView
{
    private readonly FrozenDictionary<string, IReadOnlyList<(PoolRecord Pool, IReadOnlyList<BackendRecord> Backends)>> _byModel;
    private readonly FrozenDictionary<string, string> _aliases;

    public RegistryView(RegistryDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        Document = document;
        Pools = [.. document.Pools.Values.OrderBy(p => p.Order).ThenBy(p => p.Name, StringComparer.Ordinal)];
        var canonical = document.Backends.Values.SelectMany(b => b.Models.Keys).ToHashSet(StringComparer.Ordinal);
        _byModel = canonical.ToFrozenDictionary(
            model => model,
            model => (IReadOnlyList<(PoolRecord, IReadOnlyList<BackendRecord>)>)[.. Pools
                .Select(pool => (pool, (IReadOnlyList<BackendRecord>)[.. document.Backends.Values
                    .Where(b => b.Pool == pool.Name && b.Models.ContainsKey(model))
                    .OrderBy(b => b.Id, StringComparer.Ordinal)]))
                .Where(p => p.Item2.Count > 0)],
            StringComparer.Ordinal);

        // An alias whose model no backend serves any more is not offered.
        _aliases = document.Aliases.Values.Where(a => canonical.Contains(a.Model)).ToFrozenDictionary(a => a.Alias, a => a.Model, StringComparer.Ordinal);
        KnownModels = [.. canonical.Concat(_aliases.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)];
    }

    public RegistryDocument Document { get; }

    public IReadOnlyList<PoolRecord> Pools { get; }

    /// <summary>Canonical model names and live aliases, sorted.</summary>
    public IReadOnlyList<string> KnownModels { get; }

    /// <summary>The canonical model for <paramref name="requested"/>: itself when a backend serves it, else what its alias stands for.</summary>
    public string? ResolveModel(string requested) =>
        _byModel.ContainsKey(requested) ? requested : _aliases.GetValueOrDefault(requested);

    /// <summary>The pools, in walk order, that have backends serving <paramref name="canonicalModel"/>, with those backends.</summary>
    public IReadOnlyList<(PoolRecord Pool, IReadOnlyList<BackendRecord> Backends)> PoolsServing(string canonicalModel) =>
        _byModel.GetValueOrDefault(canonicalModel) ?? [];

    public BackendRecord? Backend(string id) => Document.Backends.GetValueOrDefault(id);
}
