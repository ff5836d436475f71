using System.Text.RegularExpressions;

namespace Gateway.LocalSidecar.State;

/// <summary>
/// Settings of the <c>state.postgresql</c> component (version v1), parsed from its metadata.
/// Defaults are Dapr's.
/// </summary>
internal sealed partial record PostgresStateStoreOptions
{
    /// <summary>
    /// Metadata <c>connectionString</c> (alias <c>url</c>), required: as Dapr takes it, keyword/value
    /// (<c>host=localhost user=postgres password=example port=5432 database=dapr_test</c>) or a
    /// <c>postgres://</c> URL; Npgsql's own <c>Host=...;Username=...</c> form is accepted too.
    /// See <see cref="PostgresConnectionString.ToNpgsql"/>.
    /// </summary>
    public required string ConnectionString { get; init; }

    /// <summary>Metadata <c>tableName</c>: <c>table</c> or <c>schema.table</c>. Default: <c>state</c>.</summary>
    public string TableName { get; init; } = "state";

    /// <summary>Metadata <c>metadataTableName</c>: <c>table</c> or <c>schema.table</c>. Default: <c>dapr_metadata</c>.</summary>
    public string MetadataTableName { get; init; } = "dapr_metadata";

    /// <summary>Metadata <c>timeout</c> (alias <c>timeoutInSeconds</c>): how long a command may run. Default: 20 s; at least 1 s.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Metadata <c>cleanupInterval</c> (alias <c>cleanupIntervalInSeconds</c>): how often expired
    /// rows are deleted. Default: 1 hour. Zero or negative disables it (Dapr: <c>0</c> or <c>-1</c>);
    /// expired rows stay invisible either way.
    /// </summary>
    public TimeSpan CleanupInterval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// TTL of a write that does not state one. Default: <see langword="null"/> (no expiry); Dapr's
    /// PostgreSQL component has no component-level TTL. Zero or negative also means none.
    /// </summary>
    public TimeSpan? DefaultTtl { get; init; }

    /// <summary>Throws <see cref="ArgumentException"/> for a value Dapr would reject at start.</summary>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            throw new ArgumentException("missing connection string", nameof(ConnectionString));
        }

        if (Timeout < TimeSpan.FromSeconds(1))
        {
            throw new ArgumentException("invalid value for 'timeout': must be greater than 1s", nameof(Timeout));
        }

        // Dapr splices table names into SQL unchecked; this store only takes plain identifiers.
        foreach (var (value, name) in (ReadOnlySpan<(string, string)>)[(TableName, nameof(TableName)), (MetadataTableName, nameof(MetadataTableName))])
        {
            if (value is null || !TableNameSyntax().IsMatch(value))
            {
                throw new ArgumentException($"invalid table name: {value}", name);
            }
        }
    }

    [GeneratedRegex(@"^([A-Za-z_][A-Za-z0-9_]*\.)?[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex TableNameSyntax();
}
