using System.Globalization;
using Gateway.LocalSidecar.State;

namespace Gateway.LocalSidecar.Components;

/// <summary>Turns state store component definitions into initialised stores.</summary>
internal static class StateStoreFactory
{
    public static async Task<StateStoreCatalog> CreateAllAsync(IReadOnlyList<ComponentDefinition> components, TimeProvider time, ILoggerFactory loggers, CancellationToken cancellationToken)
    {
        var created = new List<StateStoreComponent>();
        foreach (var definition in components)
        {
            if (!definition.Type.StartsWith("state.", StringComparison.Ordinal))
            {
                throw new ComponentLoadException($"{definition.FilePath}: component '{definition.Name}' has type '{definition.Type}', which LocalSidecar does not support (supported: state.sqlite, state.postgresql, state.in-memory)");
            }

            var keyPrefix = StateKeyPrefix.Parse(definition.GetMetadata("keyPrefix"));
            if (!keyPrefix.IsValid)
            {
                throw new ComponentLoadException($"{definition.FilePath}: component '{definition.Name}': input key/keyPrefix '{keyPrefix.Strategy}' can't contain '||'");
            }

            var isActorStore = string.Equals(definition.GetMetadata("actorStateStore"), "true", StringComparison.OrdinalIgnoreCase);
            IStateStore store;
            try
            {
                store = Create(definition, time, loggers);
                await store.InitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is ArgumentException or FormatException or InvalidOperationException or IOException or System.Data.Common.DbException)
            {
                throw new ComponentLoadException($"{definition.FilePath}: component '{definition.Name}' ({definition.Type}) failed to initialise: {e.Message}", e);
            }

            created.Add(new StateStoreComponent(definition.Name, definition.Type, definition.Version, store, keyPrefix, isActorStore));
        }

        var actorStores = created.Where(c => c.IsActorStateStore).ToList();
        if (actorStores.Count > 1)
        {
            throw new ComponentLoadException($"more than one state store is marked actorStateStore: {string.Join(", ", actorStores.Select(c => c.Name))}");
        }

        return new StateStoreCatalog(created, loggers);
    }

    // Returns the interface on purpose: the switch grows one store type per component type.
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Performance", "CA1859", Justification = "One arm per store type.")]
    private static IStateStore Create(ComponentDefinition definition, TimeProvider time, ILoggerFactory loggers)
    {
        var defaultTtl = Seconds(definition, "ttlInSeconds");
        switch (definition.Type)
        {
            case "state.in-memory":
                return new InMemoryStateStore(new InMemoryStateStoreOptions { DefaultTtl = defaultTtl }, time, loggers.CreateLogger<InMemoryStateStore>());
            case "state.sqlite":
                var sqlite = new SqliteStateStoreOptions
                {
                    ConnectionString = Required(definition, "connectionString", "url"),
                    TableName = definition.GetMetadata("tableName") ?? "state",
                    MetadataTableName = definition.GetMetadata("metadataTableName") ?? "metadata",
                    Timeout = Duration(definition, "timeout", "timeoutInSeconds") ?? TimeSpan.FromSeconds(20),
                    BusyTimeout = Duration(definition, "busyTimeout") ?? TimeSpan.FromSeconds(2),
                    DisableWal = string.Equals(definition.GetMetadata("disableWAL"), "true", StringComparison.OrdinalIgnoreCase),
                    CleanupInterval = Duration(definition, "cleanupInterval", "cleanupIntervalInSeconds") ?? TimeSpan.Zero,
                    DefaultTtl = defaultTtl,
                };
                sqlite.Validate();
                return new SqliteStateStore(sqlite, time, loggers.CreateLogger<SqliteStateStore>());
            case "state.postgresql" when definition.Version is "v1" or "":
                var postgres = new PostgresStateStoreOptions
                {
                    ConnectionString = Required(definition, "connectionString", "url"),
                    TableName = definition.GetMetadata("tableName") ?? "state",
                    MetadataTableName = definition.GetMetadata("metadataTableName") ?? "dapr_metadata",
                    Timeout = Duration(definition, "timeout", "timeoutInSeconds") ?? TimeSpan.FromSeconds(20),
                    CleanupInterval = Duration(definition, "cleanupInterval", "cleanupIntervalInSeconds") ?? TimeSpan.FromHours(1),
                    DefaultTtl = defaultTtl,
                };
                postgres.Validate();
                return new PostgresStateStore(postgres, time, loggers.CreateLogger<PostgresStateStore>());
            default:
                throw new ComponentLoadException($"{definition.FilePath}: component '{definition.Name}' has type '{definition.Type}' version '{definition.Version}', which LocalSidecar does not support (supported: state.sqlite, state.postgresql v1, state.in-memory)");
        }
    }

    private static string Required(ComponentDefinition definition, string name, string alias) =>
        definition.GetMetadata(name) ?? definition.GetMetadata(alias)
        ?? throw new ComponentLoadException($"{definition.FilePath}: component '{definition.Name}' needs metadata '{name}'");

    private static TimeSpan? Duration(ComponentDefinition definition, params string[] names) =>
        names.Select(n => (Name: n, Value: definition.GetMetadata(n))).FirstOrDefault(m => !string.IsNullOrEmpty(m.Value)) is { Value: { } text } found
            ? GoDuration.ParseMetadata(found.Name, text)
            : null;

    /// <summary>A whole number of seconds, as Dapr's <c>*InSeconds</c> metadata.</summary>
    private static TimeSpan? Seconds(ComponentDefinition definition, string name) =>
        definition.GetMetadata(name) is { Length: > 0 } text
            ? int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var seconds)
                ? TimeSpan.FromSeconds(seconds)
                : throw new FormatException($"metadata '{name}' must be a whole number of seconds, not '{text}'")
            : null;
}
