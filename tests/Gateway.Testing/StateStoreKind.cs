namespace Gateway.Testing;

/// <summary>The state stores LocalSidecar supports, and the component YAML for each.</summary>
public enum StateStoreKind
{
    InMemory,
    Sqlite,
    PostgreSql,
}

public static class ComponentYaml
{
    /// <summary>
    /// A state store component named <paramref name="name"/>. <paramref name="connection"/> is the
    /// SQLite file or the PostgreSQL connection string; extra metadata items are appended.
    /// </summary>
    public static string StateStore(StateStoreKind kind, string name = "statestore", string? connection = null, bool actorStateStore = false, IReadOnlyDictionary<string, string>? metadata = null, IReadOnlyList<string>? scopes = null)
    {
        var type = kind switch
        {
            StateStoreKind.InMemory => "state.in-memory",
            StateStoreKind.Sqlite => "state.sqlite",
            _ => "state.postgresql",
        };
        var items = new List<(string Name, string Value)>();
        if (kind != StateStoreKind.InMemory)
        {
            items.Add(("connectionString", connection ?? throw new ArgumentNullException(nameof(connection))));
        }

        if (actorStateStore)
        {
            items.Add(("actorStateStore", "true"));
        }

        items.AddRange((metadata ?? new Dictionary<string, string>()).Select(m => (m.Key, m.Value)));
        var yaml = $"""
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: {name}
            spec:
              type: {type}
              version: v1
              metadata:

            """;
        foreach (var (itemName, value) in items)
        {
            yaml += $"    - name: {itemName}\n      value: \"{value.Replace("\"", "\\\"", StringComparison.Ordinal)}\"\n";
        }

        if (items.Count == 0)
        {
            yaml = yaml.Replace("  metadata:\n", "  metadata: []\n", StringComparison.Ordinal);
        }

        if (scopes is { Count: > 0 })
        {
            yaml += "scopes:\n" + string.Concat(scopes.Select(s => $"  - {s}\n"));
        }

        return yaml;
    }
}
