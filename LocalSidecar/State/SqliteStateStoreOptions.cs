namespace Gateway.LocalSidecar.State;

/// <summary>
/// Settings of the <c>state.sqlite</c> component, parsed from its metadata. Defaults are Dapr's.
/// </summary>
internal sealed record SqliteStateStoreOptions
{
    /// <summary>
    /// Metadata <c>connectionString</c> (alias <c>url</c>), required: as Dapr takes it, a path
    /// (<c>data/gateway.db</c>, relative to the current directory), a <c>file:</c> URI with query
    /// options (<c>file:data.db?mode=ro&amp;_pragma=cache_size(-4000)</c>), or <c>:memory:</c>.
    /// See <see cref="SqliteConnectionSettings.FromDapr"/>.
    /// </summary>
    public required string ConnectionString { get; init; }

    /// <summary>Metadata <c>tableName</c>. Default: <c>state</c>. Letters, digits and underscores only.</summary>
    public string TableName { get; init; } = "state";

    /// <summary>Metadata <c>metadataTableName</c>. Default: <c>metadata</c>. Letters, digits and underscores only.</summary>
    public string MetadataTableName { get; init; } = "metadata";

    /// <summary>Metadata <c>timeout</c> (alias <c>timeoutInSeconds</c>): how long a command may wait. Default: 20 s; at least 1 s.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(20);

    /// <summary>
    /// Metadata <c>busyTimeout</c>: how long SQLite itself waits for a lock held by another
    /// connection or process. Default: 2 s. Zero or negative sets none.
    /// </summary>
    public TimeSpan BusyTimeout { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Metadata <c>disableWAL</c>. Default: <see langword="false"/> (write-ahead logging on, which
    /// lets readers and one writer work at once). Set it only for a database on a network file system.
    /// </summary>
    public bool DisableWal { get; init; }

    /// <summary>
    /// Metadata <c>cleanupInterval</c> (alias <c>cleanupIntervalInSeconds</c>): how often expired
    /// rows are deleted. Default: zero, which disables it (Dapr's default for SQLite); expired rows
    /// stay invisible either way.
    /// </summary>
    public TimeSpan CleanupInterval { get; init; } = TimeSpan.Zero;

    /// <summary>
    /// TTL of a write that does not state one. Default: <see langword="null"/> (no expiry); Dapr's
    /// SQLite component has no component-level TTL. Zero or negative also means none.
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

        RequireIdentifier(TableName, nameof(TableName));
        RequireIdentifier(MetadataTableName, nameof(MetadataTableName));
    }

    // Table names are spliced into SQL, so they get the same check as in Dapr.
    private static void RequireIdentifier(string value, string name)
    {
        if (string.IsNullOrEmpty(value) || !value.All(static c => char.IsAsciiLetterOrDigit(c) || c == '_'))
        {
            throw new ArgumentException($"invalid identifier: {value}", name);
        }
    }
}
