using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;
using Xunit;

namespace Gateway.Testing;

/// <summary>
/// A throwaway PostgreSQL cluster from the installed server binaries: initialised in a fresh temp
/// folder, listening on a free loopback port with trust authentication, stopped and deleted on
/// dispose. The binaries refuse to run as root, so under root they run as the <c>postgres</c>
/// system user. Use it with <see cref="StartAsync"/>, or as an xunit fixture.
/// </summary>
public sealed partial class PostgresServer : IAsyncDisposable, IAsyncLifetime
{
    private const string SystemUser = "postgres";
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(60);

    private readonly ConcurrentDictionary<string, Lazy<Task<string>>> _databases = new(StringComparer.Ordinal);
    private string? _binDirectory;
    private string? _connectionString;
    private bool _started;

    /// <summary>The folder holding the cluster, its socket and its log; deleted on dispose.</summary>
    public string RootDirectory { get; } = Path.Combine(TempBase(), "gwpg-" + Guid.NewGuid().ToString("N")[..12]);

    public int Port { get; private set; }

    /// <summary>Npgsql connection string of the <c>postgres</c> database, as superuser <c>postgres</c>.</summary>
    public string ConnectionString => _connectionString ?? throw new InvalidOperationException("The server has not been started.");

    private string DataDirectory => Path.Combine(RootDirectory, "data");

    private string LogFile => Path.Combine(RootDirectory, "server.log");

    public static async Task<PostgresServer> StartAsync(CancellationToken cancellationToken = default)
    {
        var server = new PostgresServer();
        try
        {
            await server.StartCoreAsync(cancellationToken).ConfigureAwait(false);
            return server;
        }
        catch
        {
            await server.DisposeAsync().ConfigureAwait(false);
            throw;
        }
    }

    /// <summary>Creates an empty database with a fresh name; returns its connection string.</summary>
    public Task<string> CreateDatabaseAsync(CancellationToken cancellationToken = default) =>
        CreateDatabaseCoreAsync("test_" + Guid.NewGuid().ToString("N"), cancellationToken);

    /// <summary>
    /// The connection string of the database called <paramref name="name"/>, created on the first
    /// call: one database per test class, however many test instances ask.
    /// </summary>
    public Task<string> GetDatabaseAsync(string name, CancellationToken cancellationToken = default)
    {
        var databaseName = "test_" + NonIdentifier().Replace(name, "_").ToLowerInvariant();
        return _databases.GetOrAdd(databaseName, n => new Lazy<Task<string>>(() => CreateDatabaseCoreAsync(n, cancellationToken))).Value;
    }

    Task IAsyncLifetime.InitializeAsync() => StartCoreAsync(CancellationToken.None);

    Task IAsyncLifetime.DisposeAsync() => DisposeAsync().AsTask();

    public async ValueTask DisposeAsync()
    {
        if (_started && _binDirectory is not null)
        {
            // Immediate: the data is thrown away, so there is nothing to flush.
            var stop = await RunAsync("pg_ctl", ["stop", "-D", DataDirectory, "-m", "immediate", "-w", "-t", "30"], CancellationToken.None).ConfigureAwait(false);
            if (stop.ExitCode != 0)
            {
                KillPostmaster();
            }

            _started = false;
        }

        if (Directory.Exists(RootDirectory))
        {
            Directory.Delete(RootDirectory, recursive: true);
        }
    }

    private static string TempBase() =>
        // Under root the folder must be reachable by the postgres user; TMPDIR may point below /root.
        Environment.IsPrivilegedProcess && Directory.Exists("/tmp") ? "/tmp" : Path.GetTempPath();

    private static string FindBinDirectory()
    {
        const string Root = "/usr/lib/postgresql";
        var candidates = Directory.Exists(Root)
            ? Directory.GetDirectories(Root)
                .Select(d => (Version: decimal.TryParse(Path.GetFileName(d), NumberStyles.Number, CultureInfo.InvariantCulture, out var v) ? v : -1m, Bin: Path.Combine(d, "bin")))
                .Where(c => c.Version >= 0 && File.Exists(Path.Combine(c.Bin, "initdb")) && File.Exists(Path.Combine(c.Bin, "pg_ctl")))
                .OrderByDescending(c => c.Version)
                .Select(c => c.Bin)
                .ToList()
            : [];
        return candidates.Count > 0
            ? candidates[0]
            : throw new InvalidOperationException($"No PostgreSQL server binaries found under {Root}/*/bin (initdb, pg_ctl).");
    }

    private async Task StartCoreAsync(CancellationToken cancellationToken)
    {
        _binDirectory = FindBinDirectory();
        Directory.CreateDirectory(RootDirectory);
        if (Environment.IsPrivilegedProcess)
        {
            await RunCheckedAsync("chown", [$"{SystemUser}:", RootDirectory], asSystemUser: false, cancellationToken).ConfigureAwait(false);
        }

        await RunCheckedAsync(
            Path.Combine(_binDirectory, "initdb"),
            ["-D", DataDirectory, "-U", "postgres", "--auth=trust", "--encoding=UTF8", "--no-locale", "--no-sync", "--no-instructions"],
            asSystemUser: true,
            cancellationToken).ConfigureAwait(false);

        // The port is free when probed but may be taken before the server binds it: try again.
        for (var attempt = 1; ; attempt++)
        {
            Port = FreePort.Next();
            var settings = string.Join(' ',
                "-c listen_addresses=127.0.0.1",
                $"-p {Port}",
                $"-k '{RootDirectory}'",
                "-c fsync=off -c synchronous_commit=off -c full_page_writes=off",
                "-c max_connections=200 -c shared_buffers=32MB");
            var start = await RunAsync("pg_ctl", ["start", "-D", DataDirectory, "-l", LogFile, "-w", "-t", "30", "-o", settings], cancellationToken).ConfigureAwait(false);
            if (start.ExitCode == 0)
            {
                _started = true;
                break;
            }

            if (attempt == 3)
            {
                throw new InvalidOperationException($"PostgreSQL did not start (pg_ctl exit code {start.ExitCode}).\n{start.Output}\n--- server log ---\n{ReadLog()}");
            }
        }

        _connectionString = new NpgsqlConnectionStringBuilder
        {
            Host = "127.0.0.1",
            Port = Port,
            Username = "postgres",
            Database = "postgres",
            IncludeErrorDetail = true,
        }.ConnectionString;
        await WaitUntilAcceptingAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task WaitUntilAcceptingAsync(CancellationToken cancellationToken)
    {
        var deadline = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(ConnectionString) { Pooling = false }.ConnectionString);
                await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
                await using var command = new NpgsqlCommand("SELECT 1", connection);
                await command.ExecuteScalarAsync(cancellationToken).ConfigureAwait(false);
                return;
            }
            catch (NpgsqlException) when (deadline.Elapsed < s_startTimeout)
            {
                await Task.Delay(100, cancellationToken).ConfigureAwait(false);
            }
            catch (NpgsqlException ex)
            {
                throw new InvalidOperationException($"PostgreSQL on port {Port} does not accept connections.\n--- server log ---\n{ReadLog()}", ex);
            }
        }
    }

    private async Task<string> CreateDatabaseCoreAsync(string name, CancellationToken cancellationToken)
    {
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync(cancellationToken).ConfigureAwait(false);
        await using var command = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
        await command.ExecuteNonQueryAsync(cancellationToken).ConfigureAwait(false);
        return new NpgsqlConnectionStringBuilder(ConnectionString) { Database = name }.ConnectionString;
    }

    private string ReadLog() => File.Exists(LogFile) ? File.ReadAllText(LogFile) : "(no server log)";

    private void KillPostmaster()
    {
        var pidFile = Path.Combine(DataDirectory, "postmaster.pid");
        if (File.Exists(pidFile) && int.TryParse(File.ReadLines(pidFile).FirstOrDefault(), CultureInfo.InvariantCulture, out var pid))
        {
            try
            {
                using var process = Process.GetProcessById(pid);
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
            catch (ArgumentException)
            {
                // Already gone.
            }
        }
    }

    private Task<(int ExitCode, string Output)> RunAsync(string tool, IReadOnlyList<string> arguments, CancellationToken cancellationToken) =>
        RunAsync(Path.Combine(_binDirectory!, tool), arguments, asSystemUser: true, cancellationToken);

    private static async Task RunCheckedAsync(string program, IReadOnlyList<string> arguments, bool asSystemUser, CancellationToken cancellationToken)
    {
        var (exitCode, output) = await RunAsync(program, arguments, asSystemUser, cancellationToken).ConfigureAwait(false);
        if (exitCode != 0)
        {
            throw new InvalidOperationException($"{Path.GetFileName(program)} failed with exit code {exitCode}:\n{output}");
        }
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string program, IReadOnlyList<string> arguments, bool asSystemUser, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (asSystemUser && Environment.IsPrivilegedProcess)
        {
            startInfo.FileName = "runuser";
            foreach (var argument in (string[])["-u", SystemUser, "--", program])
            {
                startInfo.ArgumentList.Add(argument);
            }
        }
        else
        {
            startInfo.FileName = program;
        }

        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo) ?? throw new InvalidOperationException($"Could not start {startInfo.FileName}.");
        var stdout = process.StandardOutput.ReadToEndAsync(cancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(cancellationToken);
        await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        return (process.ExitCode, (await stdout.ConfigureAwait(false)) + (await stderr.ConfigureAwait(false)));
    }

    [GeneratedRegex("[^A-Za-z0-9_]")]
    private static partial Regex NonIdentifier();
}
