using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.LocalSidecar.State;

/// <summary>
/// The <c>state.sqlite</c> component, on Dapr's table layout so a real daprd can open the same
/// file. Several sidecar processes may share one file: writes are single conditional statements
/// or <c>BEGIN IMMEDIATE</c> transactions, which SQLite serialises across processes, and the file
/// runs in WAL mode so reads do not wait for writers.
/// </summary>
/// <remarks>
/// As in Dapr: ETags are random UUIDs compared as text (so a malformed one is a mismatch); an
/// expired row is missing for reads, ETag updates and first-write, but a delete with its ETag still
/// removes it; first-write does not apply to deletes; a transaction runs its operations in order,
/// each seeing the ones before it, and rolls back at the first failure.
/// </remarks>
internal sealed class SqliteStateStore : IStateStore
{
    private const string TimeFormat = "yyyy-MM-dd HH:mm:ss.fff";
    private static readonly string[] s_readTimeFormats = [TimeFormat, "yyyy-MM-dd HH:mm:ss.FFFFFFF", "yyyy-MM-dd HH:mm:ss"];

    private readonly SqliteStateStoreOptions _options;
    private readonly SqliteConnectionSettings _settings;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private readonly string _connectionSetup;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private SqliteConnection? _memoryConnection;
    private PeriodicCleanup? _cleanup;

    private readonly string _get;
    private readonly string _upsert;
    private readonly string _insertIfMissing;
    private readonly string _updateIfETag;
    private readonly string _delete;
    private readonly string _deleteIfETag;
    private readonly string _claimCleanup;
    private readonly string _deleteExpired;

    public SqliteStateStore(SqliteStateStoreOptions options, TimeProvider timeProvider, ILogger<SqliteStateStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        options.Validate();
        _options = options;
        _settings = SqliteConnectionSettings.FromDapr(options.ConnectionString, options.Timeout);
        _timeProvider = timeProvider;
        _logger = logger ?? NullLogger<SqliteStateStore>.Instance;

        // busy_timeout is per connection, so it runs on every open, pooled connections included.
        var busyTimeout = options.BusyTimeout > TimeSpan.Zero ? (long)options.BusyTimeout.TotalMilliseconds : 0;
        _connectionSetup = string.Concat(_settings.Pragmas.Select(static p => $"PRAGMA {p};").Prepend($"PRAGMA busy_timeout = {busyTimeout};"));

        var table = options.TableName;
        const string Live = "(expiration_time IS NULL OR expiration_time > $now)";
        _get = $"SELECT value, is_binary, etag, expiration_time FROM {table} WHERE key = $key AND {Live}";
        _upsert = $"""
            INSERT OR REPLACE INTO {table} (key, value, is_binary, etag, expiration_time, update_time)
            VALUES ($key, $value, $binary, $etag, $expires, $now)
            """;
        _insertIfMissing = $"""
            INSERT OR REPLACE INTO {table} (key, value, is_binary, etag, expiration_time, update_time)
            SELECT $key, $value, $binary, $etag, $expires, $now
            WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE key = $key AND {Live})
            """;
        _updateIfETag = $"""
            UPDATE {table} SET value = $value, is_binary = $binary, etag = $etag, expiration_time = $expires, update_time = $now
            WHERE key = $key AND etag = $match AND {Live}
            """;
        _delete = $"DELETE FROM {table} WHERE key = $key";
        _deleteIfETag = $"DELETE FROM {table} WHERE key = $key AND etag = $match";
        _claimCleanup = $"""
            INSERT INTO {options.MetadataTableName} (key, value) VALUES ('last-cleanup', $now)
            ON CONFLICT (key) DO UPDATE SET value = $now
            WHERE (julianday($now) - julianday(value)) * 86400000.0 > $intervalMs
            """;
        _deleteExpired = $"DELETE FROM {table} WHERE expiration_time IS NOT NULL AND expiration_time < $now";
    }

    public async Task InitAsync(CancellationToken cancellationToken)
    {
        if (_settings.FilePath is { } filePath && !_settings.IsReadOnly)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(filePath)!);
        }

        if (_settings.IsInMemory && _memoryConnection is null)
        {
            // A shared in-memory database lives while a connection to it is open; this one keeps it
            // and, as Dapr allows a single connection to it, carries every operation.
            var connection = new SqliteConnection(_settings.ConnectionString);
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, _connectionSetup, cancellationToken).ConfigureAwait(false);
            _memoryConnection = connection;
        }

        if (!_settings.IsReadOnly)
        {
            await using var lease = await OpenAsync(forWrite: true, cancellationToken).ConfigureAwait(false);
            if (!_settings.IsInMemory)
            {
                // The journal mode is stored in the file; it cannot change inside a transaction.
                await ExecuteAsync(lease.Connection, _options.DisableWal ? "PRAGMA journal_mode = DELETE;" : "PRAGMA journal_mode = WAL;", cancellationToken).ConfigureAwait(false);
            }

            await using var transaction = lease.Connection.BeginTransaction(deferred: false);
            await ExecuteAsync(lease.Connection, $"""
                CREATE TABLE IF NOT EXISTS {_options.MetadataTableName} (
                    key TEXT NOT NULL PRIMARY KEY,
                    value TEXT NOT NULL
                );
                CREATE TABLE IF NOT EXISTS {_options.TableName} (
                    key TEXT NOT NULL PRIMARY KEY,
                    value TEXT NOT NULL,
                    is_binary BOOLEAN NOT NULL,
                    etag TEXT NOT NULL,
                    expiration_time TIMESTAMP DEFAULT NULL,
                    update_time TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
                );
                -- Dapr's migration level for this layout, so a daprd opening the file leaves it alone.
                INSERT INTO {_options.MetadataTableName} (key, value) VALUES ('migrations', '1') ON CONFLICT (key) DO NOTHING;
                """, cancellationToken, transaction).ConfigureAwait(false);
            await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);

            _cleanup ??= PeriodicCleanup.Start(_options.CleanupInterval, _timeProvider, CleanupExpiredAsync, _logger);
        }
    }

    public async Task<StateItem?> GetAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        await using var lease = await OpenAsync(forWrite: false, cancellationToken).ConfigureAwait(false);
        await using var command = lease.Connection.CreateCommand();
        command.CommandText = _get;
        command.Parameters.AddWithValue("$key", key);
        command.Parameters.AddWithValue("$now", ToDbTime(_timeProvider.GetUtcNow()));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var text = reader.GetString(0);
        var value = reader.GetBoolean(1) ? Convert.FromBase64String(text) : Encoding.UTF8.GetBytes(text);
        return new StateItem(value, reader.GetString(2), reader.IsDBNull(3) ? null : FromDbTime(reader.GetString(3)));
    }

    public async Task<StoreResult> SetAsync(SetOperation operation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        await using var lease = await OpenAsync(forWrite: true, cancellationToken).ConfigureAwait(false);
        return await ExecuteAsync(lease.Connection, null, operation, _timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
    }

    public async Task<StoreResult> DeleteAsync(DeleteOperation operation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        await using var lease = await OpenAsync(forWrite: true, cancellationToken).ConfigureAwait(false);
        return await ExecuteAsync(lease.Connection, null, operation, _timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
    }

    public async Task<StoreResult> TransactAsync(IReadOnlyList<StateOperation> operations, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operations);
        if (operations.Count == 0)
        {
            return StoreResult.Ok;
        }

        var now = _timeProvider.GetUtcNow();
        await using var lease = await OpenAsync(forWrite: true, cancellationToken).ConfigureAwait(false);

        // IMMEDIATE takes the write lock before the first check, so no other connection or process
        // can change a checked row before the commit.
        await using var transaction = lease.Connection.BeginTransaction(deferred: false);
        foreach (var operation in operations)
        {
            var result = await ExecuteAsync(lease.Connection, transaction, operation, now, cancellationToken).ConfigureAwait(false);
            if (result != StoreResult.Ok)
            {
                await transaction.RollbackAsync(cancellationToken).ConfigureAwait(false);
                return result;
            }
        }

        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);
        return StoreResult.Ok;
    }

    /// <summary>
    /// Deletes expired rows, unless another store on the same file (another sidecar process) did
    /// so less than a cleanup interval ago; returns how many rows it deleted.
    /// </summary>
    internal async Task<int> CleanupExpiredAsync(CancellationToken cancellationToken)
    {
        var now = ToDbTime(_timeProvider.GetUtcNow());
        await using var lease = await OpenAsync(forWrite: true, cancellationToken).ConfigureAwait(false);
        await using var claim = lease.Connection.CreateCommand();
        claim.CommandText = _claimCleanup;
        claim.Parameters.AddWithValue("$now", now);
        // Dapr's margin: a run that comes slightly early still counts as due.
        claim.Parameters.AddWithValue("$intervalMs", (long)_options.CleanupInterval.TotalMilliseconds - 100);
        if (await claim.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false) == 0)
        {
            return 0;
        }

        await using var delete = lease.Connection.CreateCommand();
        delete.CommandText = _deleteExpired;
        delete.Parameters.AddWithValue("$now", now);
        return await delete.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_cleanup is not null)
        {
            await _cleanup.DisposeAsync().ConfigureAwait(false);
        }

        if (_memoryConnection is not null)
        {
            await _memoryConnection.DisposeAsync().ConfigureAwait(false);
        }
        else
        {
            // Closes the pooled connections to the file, so it can be moved or deleted.
            using var connection = new SqliteConnection(_settings.ConnectionString);
            SqliteConnection.ClearPool(connection);
        }

        _gate.Dispose();
    }

    private static string ToDbTime(DateTimeOffset time) => time.UtcDateTime.ToString(TimeFormat, CultureInfo.InvariantCulture);

    // Dapr writes "yyyy-MM-dd HH:mm:ss" (SQLite's DATETIME); both forms compare correctly as text.
    private static DateTimeOffset FromDbTime(string text) =>
        DateTimeOffset.ParseExact(text, s_readTimeFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    private static async Task ExecuteAsync(SqliteConnection connection, string sql, CancellationToken cancellationToken, SqliteTransaction? transaction = null)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<StoreResult> ExecuteAsync(SqliteConnection connection, SqliteTransaction? transaction, StateOperation operation, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var hasETag = !string.IsNullOrEmpty(operation.ETag);
        await using var command = connection.CreateCommand();
        command.Transaction = transaction;
        command.Parameters.AddWithValue("$key", operation.Key);
        command.Parameters.AddWithValue("$now", ToDbTime(now));
        if (hasETag)
        {
            command.Parameters.AddWithValue("$match", operation.ETag);
        }

        switch (operation)
        {
            case SetOperation set:
                command.CommandText = hasETag ? _updateIfETag : set.Concurrency == Concurrency.FirstWrite ? _insertIfMissing : _upsert;
                command.Parameters.AddWithValue("$value", set.IsBinary ? Convert.ToBase64String(set.Value) : Encoding.UTF8.GetString(set.Value));
                command.Parameters.AddWithValue("$binary", set.IsBinary);
                command.Parameters.AddWithValue("$etag", Guid.NewGuid().ToString());
                command.Parameters.AddWithValue("$expires", StateExpiry.ExpiresAt(set.Ttl, _options.DefaultTtl, now) is { } expiresAt ? ToDbTime(expiresAt) : DBNull.Value);
                break;
            case DeleteOperation:
                command.CommandText = hasETag ? _deleteIfETag : _delete;
                break;
            default:
                throw new ArgumentException($"Unknown state operation {operation.GetType().Name}.", nameof(operation));
        }

        var rows = await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);

        // Only a conditional statement can touch no row: a delete without ETag of a missing key is fine.
        return rows == 0 && (hasETag || operation is SetOperation) ? StoreResult.ETagMismatch : StoreResult.Ok;
    }

    /// <remarks>
    /// SQLite takes one writer at a time, and Microsoft.Data.Sqlite waits for a lock by blocking
    /// its thread; queueing this store's writers on an async gate leaves only writers of other
    /// processes to wait on the file lock. Readers never wait in WAL mode. The in-memory database
    /// has a single connection, so everything queues there.
    /// </remarks>
    private async ValueTask<Lease> OpenAsync(bool forWrite, CancellationToken cancellationToken)
    {
        var gated = forWrite || _memoryConnection is not null;
        if (gated)
        {
            await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        if (_memoryConnection is { } shared)
        {
            return new Lease(shared, ownsConnection: false, _gate);
        }

        var connection = new SqliteConnection(_settings.ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
            await ExecuteAsync(connection, _connectionSetup, cancellationToken).ConfigureAwait(false);
            return new Lease(connection, ownsConnection: true, gated ? _gate : null);
        }
        catch
        {
            await connection.DisposeAsync().ConfigureAwait(false);
            if (gated)
            {
                _gate.Release();
            }

            throw;
        }
    }

    /// <summary>A connection for one operation: a pooled one of its own, or the in-memory database's single one.</summary>
    private readonly struct Lease(SqliteConnection connection, bool ownsConnection, SemaphoreSlim? gate) : IAsyncDisposable
    {
        public SqliteConnection Connection => connection;

        public async ValueTask DisposeAsync()
        {
            if (ownsConnection)
            {
                await connection.DisposeAsync().ConfigureAwait(false);
            }

            gate?.Release();
        }
    }
}
