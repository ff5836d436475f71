using Gateway.PoolService.Model;

namespace Gateway.PoolService.Services;

/// <summary>
/// The order in which a lease asks the backends of one pool: a weighted random permutation, so the
/// first asked is each backend with probability weight / total weight, and the rest follow the same
/// rule among those left (Efraimidis–Spirakis: sort by u^(1/weight), u uniform in [0, 1)). The
/// random source is injected so tests can seed it.
/// </summary>
internal sealed class BackendPicker(Random random)
{
    private readonly Lock _lock = new();

    public IReadOnlyList<BackendRecord> Order(IEnumerable<BackendRecord> backends)
    {
        ArgumentNullException.ThrowIfNull(backends);
        List<(BackendRecord Backend, double Key)> keyed = [];
        lock (_lock)
        {
            foreach (var backend in backends)
            {
                keyed.Add((backend, Math.Pow(random.NextDouble(), 1.0 / Math.Max(1, backend.Weight))));
            }
        }

        keyed.Sort((a, b) => b.Key.CompareTo(a.Key));
        return [.. keyed.Select(k => k.Backend)];
    }
}
