using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using NpgsqlTypes;

namespace Gateway.LocalSidecar.State;

/// <summary>
/// The <c>state.postgresql</c> component, version v1, on Dapr's table layout so a real daprd can
/// use the same table. The ETag is the row's <c>xmin</c>; a conditional write is one statement
/// whose WHERE clause holds the check, so PostgreSQL's row locks decide between concurrent
/// writers.
/// </summary>
/// <remarks>
/// As in Dapr: an ETag that is not an unsigned 32-bit number is <see cref="StoreResult.ETagInvalid"/>;
/// first-write without an ETag on a live key fails as a store error ("no item was updated",
/// daprd answers 500), not as a mismatch; first-write does not apply to deletes; an expired row is
/// missing for reads, ETag updates and first-write, but a delete with its ETag still removes it; a
/// transaction runs its operations in order, each seeing the ones before it, and rolls back at the
/// first failure. Values are stored as <c>jsonb</c>, so they come back re-serialised.
/// </remarks>
internal sealed class PostgresStateStore : IStateStore
{
    private readonly PostgresStateStoreOptions _options;
    private readonly NpgsqlDataSource _dataSource;
    private readonly TimeProvider _timeProvider;
    private readonly ILogger _logger;
    private PeriodicCleanup? _cleanup;

    private readonly string _get;
    private readonly string _upsert;
    private readonly string _insertOrReplaceExpired;
    private readonly string _updateIfETag;
    private readonly string _delete;
    private readonly string _deleteIfETag;
    private readonly string _claimCleanup;
    private readonly string _deleteExpired;

    public PostgresStateStore(PostgresStateStoreOptions options, TimeProvider timeProvider, ILogger<PostgresStateStore>? logger = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(timeProvider);
        options.Validate();
        _options = options;
        _timeProvider = timeProvider;
        _logger = logger ?? NullLogger<PostgresStateStore>.Instance;
        var connection = new NpgsqlConnectionStringBuilder(PostgresConnectionString.ToNpgsql(options.ConnectionString))
        {
            CommandTimeout = (int)Math.Ceiling(options.Timeout.TotalSeconds),
        };
        _dataSource = NpgsqlDataSource.Create(connection);

        // $1 key, $2 value, $3 now, $4 expiry, $5 is binary, $6 expected xmin.
        var table = options.TableName;
        _get = $"SELECT value, isbinary, xmin, expiredate FROM {table} WHERE key = $1 AND (expiredate IS NULL OR expiredate >= $2)";
        _upsert = $"""
            INSERT INTO {table} AS t (key, value, isbinary, insertdate, expiredate) VALUES ($1, $2, $5, $3, $4)
            ON CONFLICT (key) DO UPDATE SET value = excluded.value, isbinary = excluded.isbinary, updatedate = $3, expiredate = excluded.expiredate
            """;

        // First-write still upserts, because the key may be held by an expired row not yet deleted.
        _insertOrReplaceExpired = _upsert + " WHERE t.expiredate IS NOT NULL AND t.expiredate < $3";
        _updateIfETag = $"""
            UPDATE {table} SET value = $2, isbinary = $5, updatedate = $3, expiredate = $4
            WHERE key = $1 AND xmin = $6 AND (expiredate IS NULL OR expiredate > $3)
            """;
        _delete = $"DELETE FROM {table} WHERE key = $1";
        _deleteIfETag = $"DELETE FROM {table} WHERE key = $1 AND xmin = $2";
        _claimCleanup = $"""
            INSERT INTO {options.MetadataTableName} AS m (key, value) VALUES ('last-cleanup', $1::text)
            ON CONFLICT (key) DO UPDATE SET value = $1::text
            WHERE (EXTRACT('epoch' FROM $1 - m.value::timestamp with time zone) * 1000)::bigint > $2
            """;
        _deleteExpired = $"DELETE FROM {table} WHERE expiredate IS NOT NULL AND expiredate < $1";
    }

    public async Task InitAsync(CancellationToken cancellationToken)
    {
        var table = _options.TableName;
        var metadataTable = _options.MetadataTableName;
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);

        // Sidecars starting together race on CREATE TABLE IF NOT EXISTS, which can then fail with a
        // unique violation; the lock makes them take turns until the commit.
        await ExecuteAsync(connection, "SELECT pg_advisory_xact_lock(hashtext($1))", cancellationToken, Text($"gateway.state.schema:{table}")).ConfigureAwait(false);
        await ExecuteAsync(connection, $"CREATE TABLE IF NOT EXISTS {metadataTable} (key text NOT NULL PRIMARY KEY, value text NOT NULL)", cancellationToken).ConfigureAwait(false);
        await ExecuteAsync(connection, $"""
            CREATE TABLE IF NOT EXISTS {table} (
                key text NOT NULL PRIMARY KEY,
                value jsonb NOT NULL,
                isbinary boolean NOT NULL,
                insertdate TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(),
                updatedate TIMESTAMP WITH TIME ZONE NULL,
                expiredate TIMESTAMP WITH TIME ZONE NULL,
                row_id BIGINT GENERATED BY DEFAULT AS IDENTITY NOT NULL
            )
            """, cancellationToken).ConfigureAwait(false);
        var unqualified = table[(table.LastIndexOf('.') + 1)..];
        await ExecuteAsync(connection, $"CREATE UNIQUE INDEX IF NOT EXISTS {unqualified}_row_id_uidx ON {table} (row_id)", cancellationToken).ConfigureAwait(false);

        // Dapr's migration level for this layout (3 steps in v1), so a daprd leaves the table alone.
        await ExecuteAsync(connection, $"INSERT INTO {metadataTable} (key, value) VALUES ('migrations', '3') ON CONFLICT (key) DO NOTHING", cancellationToken).ConfigureAwait(false);
        await transaction.CommitAsync(cancellationToken).ConfigureAwait(false);

        _cleanup ??= PeriodicCleanup.Start(_options.CleanupInterval, _timeProvider, CleanupExpiredAsync, _logger);
    }

    public async Task<StateItem?> GetAsync(string key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(key);
        await using var command = _dataSource.CreateCommand(_get);
        command.Parameters.Add(Text(key));
        command.Parameters.Add(Time(_timeProvider.GetUtcNow()));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken).ConfigureAwait(false);
        if (!await reader.ReadAsync(cancellationToken).ConfigureAwait(false))
        {
            return null;
        }

        var json = reader.GetString(0);

        // Binary values (saved by a gRPC client of a real daprd) are stored as a JSON string of base64.
        var value = reader.GetBoolean(1)
            ? Convert.FromBase64String(JsonSerializer.Deserialize<string>(json) ?? string.Empty)
            : Encoding.UTF8.GetBytes(json);
        var etag = reader.GetFieldValue<uint>(2).ToString(CultureInfo.InvariantCulture);
        DateTimeOffset? expiresAt = reader.IsDBNull(3) ? null : new DateTimeOffset(reader.GetFieldValue<DateTime>(3));
        return new StateItem(value, etag, expiresAt);
    }

    public async Task<StoreResult> SetAsync(SetOperation operation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await ExecuteAsync(connection, operation, _timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
    }

    public async Task<StoreResult> DeleteAsync(DeleteOperation operation, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operation);
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        return await ExecuteAsync(connection, operation, _timeProvider.GetUtcNow(), cancellationToken).ConfigureAwait(false);
    }

    public async Task<StoreResult> TransactAsync(IReadOnlyList<StateOperation> operations, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(operations);
        if (operations.Count == 0)
        {
            return StoreResult.Ok;
        }

        var now = _timeProvider.GetUtcNow();
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);
        if (operations.Count == 1)
        {
            return await ExecuteAsync(connection, operations[0], now, cancellationToken).ConfigureAwait(false);
        }

        // Read committed is enough: each conditional statement locks its row and re-checks the
        // condition on the newest version if a concurrent writer got there first.
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken).ConfigureAwait(false);
        foreach (var operation in operations)
        {
            var result = await ExecuteAsync(connection, operation, now, cancellationToken).ConfigureAwait(false);
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
    /// Deletes expired rows, unless another store on the same table (another sidecar) did so less
    /// than a cleanup interval ago; returns how many rows it deleted.
    /// </summary>
    internal async Task<int> CleanupExpiredAsync(CancellationToken cancellationToken)
    {
        var now = _timeProvider.GetUtcNow();
        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken).ConfigureAwait(false);

        // Dapr's margin: a run that comes slightly early still counts as due.
        var intervalMs = new NpgsqlParameter<long> { TypedValue = (long)_options.CleanupInterval.TotalMilliseconds - 100 };
        if (await ExecuteAsync(connection, _claimCleanup, cancellationToken, Time(now), intervalMs).ConfigureAwait(false) == 0)
        {
            return 0;
        }

        return await ExecuteAsync(connection, _deleteExpired, cancellationToken, Time(now)).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (_cleanup is not null)
        {
            await _cleanup.DisposeAsync().ConfigureAwait(false);
        }

        await _dataSource.DisposeAsync().ConfigureAwait(false);
    }

    private static NpgsqlParameter<string> Text(string value) => new NpgsqlParameter<string> { TypedValue = value };

    private static NpgsqlParameter Time(DateTimeOffset? value) =>
        new() { NpgsqlDbType = NpgsqlDbType.TimestampTz, Value = value is { } time ? time.UtcDateTime : DBNull.Value };

    private static async Task<int> ExecuteAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken, params NpgsqlParameter[] parameters)
    {
        await using var command = new NpgsqlCommand(sql, connection);
        command.Parameters.AddRange(parameters);
        return await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<StoreResult> ExecuteAsync(NpgsqlConnection connection, StateOperation operation, DateTimeOffset now, CancellationToken cancellationToken)
    {
        uint? expected = null;
        if (!string.IsNullOrEmpty(operation.ETag))
        {
            if (!uint.TryParse(operation.ETag, NumberStyles.None, CultureInfo.InvariantCulture, out var xmin))
            {
                return StoreResult.ETagInvalid;
            }

            expected = xmin;
        }

        var etag = expected is { } value ? new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Xid, Value = value } : null;
        switch (operation)
        {
            case SetOperation set:
            {
                var parameters = new List<NpgsqlParameter>
                {
                    Text(set.Key),
                    // Dapr keeps a binary value (saved over gRPC) as a JSON string of its base64.
                    new() { NpgsqlDbType = NpgsqlDbType.Jsonb, Value = set.IsBinary ? JsonSerializer.Serialize(Convert.ToBase64String(set.Value)) : Encoding.UTF8.GetString(set.Value) },
                    Time(now),
                    Time(StateExpiry.ExpiresAt(set.Ttl, _options.DefaultTtl, now)),
                    new NpgsqlParameter<bool> { TypedValue = set.IsBinary },
                };
                var sql = _upsert;
                if (etag is not null)
                {
                    parameters.Add(etag);
                    sql = _updateIfETag;
                }
                else if (set.Concurrency == Concurrency.FirstWrite)
                {
                    sql = _insertOrReplaceExpired;
                }

                var rows = await ExecuteAsync(connection, sql, cancellationToken, [.. parameters]).ConfigureAwait(false);
                return rows == 1 ? StoreResult.Ok
                    : etag is not null ? StoreResult.ETagMismatch
                    : throw new InvalidOperationException("no item was updated");
            }

            case DeleteOperation delete:
            {
                var rows = etag is null
                    ? await ExecuteAsync(connection, _delete, cancellationToken, Text(delete.Key)).ConfigureAwait(false)
                    : await ExecuteAsync(connection, _deleteIfETag, cancellationToken, Text(delete.Key), etag).ConfigureAwait(false);
                return rows != 1 && etag is not null ? StoreResult.ETagMismatch : StoreResult.Ok;
            }

            default:
                throw new ArgumentException($"Unknown state operation {operation.GetType().Name}.", nameof(operation));
        }
    }
}
