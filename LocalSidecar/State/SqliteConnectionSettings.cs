using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;

namespace Gateway.LocalSidecar.State;

/// <summary>A Dapr <c>state.sqlite</c> connection string as Microsoft.Data.Sqlite opens it.</summary>
/// <param name="ConnectionString">In Microsoft.Data.Sqlite's format.</param>
/// <param name="FilePath">The absolute path of the database file; <see langword="null"/> for an in-memory database.</param>
/// <param name="IsReadOnly">Opened with <c>mode=ro</c> or <c>immutable=1</c>: no schema creation, no journal mode change.</param>
/// <param name="Pragmas">The <c>_pragma</c> options, to run on every new connection.</param>
internal sealed partial record SqliteConnectionSettings(string ConnectionString, string? FilePath, bool IsReadOnly, IReadOnlyList<string> Pragmas)
{
    // The name a bare ":memory:" gets; Dapr opens it with cache=shared, so one process shares it.
    private const string SharedMemoryName = "dapr-state-memory";

    public bool IsInMemory => FilePath is null;

    /// <summary>
    /// Reads the forms Dapr's SQLite components accept (Dapr hands them to the modernc driver, that
    /// is to SQLite's URI parser): a path, relative ones to the current directory; a <c>file:</c> URI
    /// (<c>file:data.db</c>, <c>file:///abs/data.db</c>, percent-encoded) whose query may carry
    /// <c>mode</c> (ro, rw, rwc, memory), <c>cache</c>, <c>immutable</c> and the driver's
    /// <c>_pragma=name(value)</c>; <c>:memory:</c> or <c>file::memory:</c>. As in Dapr,
    /// <c>_pragma</c> may not set busy_timeout, journal_mode or foreign_keys (there is metadata
    /// for those); <c>_txlock</c> is ignored because writes always take the lock up front.
    /// </summary>
    /// <exception cref="ArgumentException">The string is empty or holds an option Dapr rejects.</exception>
    public static SqliteConnectionSettings FromDapr(string connectionString, TimeSpan timeout)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(connectionString);

        // Like Dapr, a '?' at index 0 is part of the name rather than the start of a query.
        var queryStart = connectionString.IndexOf('?', StringComparison.Ordinal);
        var location = queryStart > 0 ? connectionString[..queryStart] : connectionString;
        var query = queryStart > 0 ? ParseQuery(connectionString[(queryStart + 1)..]) : [];

        var path = location.StartsWith("file:", StringComparison.OrdinalIgnoreCase)
            ? UriPath(location["file:".Length..], connectionString)
            : location;

        var builder = new SqliteConnectionStringBuilder
        {
            DefaultTimeout = (int)Math.Ceiling(timeout.TotalSeconds),
            Pooling = true,
        };

        var mode = First(query, "mode")?.ToLowerInvariant();
        var isMemory = path.StartsWith(":memory:", StringComparison.OrdinalIgnoreCase) || mode == "memory";
        var isReadOnly = mode == "ro" || First(query, "immutable") == "1";
        builder.Mode = mode switch
        {
            null or "rwc" => isReadOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWriteCreate,
            "ro" => SqliteOpenMode.ReadOnly,
            "rw" => isReadOnly ? SqliteOpenMode.ReadOnly : SqliteOpenMode.ReadWrite,
            "memory" => SqliteOpenMode.Memory,
            _ => throw new ArgumentException($"no such access mode: {mode}", nameof(connectionString)),
        };

        builder.Cache = First(query, "cache")?.ToLowerInvariant() switch
        {
            _ when isMemory => SqliteCacheMode.Shared,
            "shared" => SqliteCacheMode.Shared,
            "private" => SqliteCacheMode.Private,
            _ => SqliteCacheMode.Default,
        };

        string? filePath = null;
        if (isMemory)
        {
            builder.Mode = SqliteOpenMode.Memory;
            builder.DataSource = path.StartsWith(":memory:", StringComparison.OrdinalIgnoreCase) ? SharedMemoryName : path;
        }
        else
        {
            if (path.Length == 0)
            {
                throw new ArgumentException("missing database path in connection string", nameof(connectionString));
            }

            filePath = Path.GetFullPath(path);
            builder.DataSource = filePath;
        }

        var pragmas = query.Where(static p => p.Name == "_pragma").Select(static p => CheckPragma(p.Value)).ToArray();
        return new SqliteConnectionSettings(builder.ToString(), filePath, isReadOnly, pragmas);
    }

    private static string UriPath(string afterScheme, string connectionString)
    {
        if (!afterScheme.StartsWith("//", StringComparison.Ordinal))
        {
            return Uri.UnescapeDataString(afterScheme);
        }

        // SQLite accepts only an empty or "localhost" authority: file:///abs or file://localhost/abs.
        var pathStart = afterScheme.IndexOf('/', 2);
        var authority = pathStart < 0 ? afterScheme[2..] : afterScheme[2..pathStart];
        if (authority.Length > 0 && !authority.Equals("localhost", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"invalid uri authority: {authority}", nameof(connectionString));
        }

        return pathStart < 0 ? string.Empty : Uri.UnescapeDataString(afterScheme[pathStart..]);
    }

    private static List<(string Name, string Value)> ParseQuery(string query) =>
    [
        .. query.Split('&', StringSplitOptions.RemoveEmptyEntries).Select(static pair =>
        {
            var equals = pair.IndexOf('=', StringComparison.Ordinal);
            return equals < 0
                ? (Uri.UnescapeDataString(pair), string.Empty)
                : (Uri.UnescapeDataString(pair[..equals]), Uri.UnescapeDataString(pair[(equals + 1)..]));
        }),
    ];

    // Dapr keeps only the first value of these options.
    private static string? First(List<(string Name, string Value)> query, string name) =>
        query.FirstOrDefault(p => p.Name == name).Value;

    private static string CheckPragma(string pragma)
    {
        foreach (var reserved in (ReadOnlySpan<string>)["busy_timeout", "journal_mode", "foreign_keys"])
        {
            if (pragma.StartsWith(reserved, StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"found forbidden option '_pragma={reserved}' in the connection string", nameof(pragma));
            }
        }

        // Pragmas are spliced into SQL: one name and an optional simple argument, nothing else.
        return PragmaSyntax().IsMatch(pragma)
            ? pragma
            : throw new ArgumentException($"invalid option '_pragma={pragma}' in the connection string", nameof(pragma));
    }

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_.]*(\([-+A-Za-z0-9_. ']*\))?$")]
    private static partial Regex PragmaSyntax();
}
