namespace Gateway.LocalSidecar.State;

/// <summary>The state store components this sidecar loaded, by name.</summary>
internal sealed class StateStoreCatalog(IReadOnlyList<StateStoreComponent> components, ILoggerFactory? loggers = null) : IAsyncDisposable
{
    private readonly Dictionary<string, StateStoreComponent> _byName = components.ToDictionary(c => c.Name, StringComparer.Ordinal);

    public IReadOnlyList<StateStoreComponent> All => components;

    public int Count => components.Count;

    /// <summary>The one component marked <c>actorStateStore: "true"</c>, if any.</summary>
    public StateStoreComponent? ActorStateStore { get; } = components.FirstOrDefault(c => c.IsActorStateStore);

    public bool TryGet(string name, out StateStoreComponent component) => _byName.TryGetValue(name, out component!);

    public async ValueTask DisposeAsync()
    {
        foreach (var component in components)
        {
            await component.Store.DisposeAsync().ConfigureAwait(false);
        }

        loggers?.Dispose();
    }
}
