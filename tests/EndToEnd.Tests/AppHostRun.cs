using System.Globalization;
using System.Text.RegularExpressions;
using Gateway.Testing;

namespace Gateway.EndToEnd.Tests;

/// <summary>One row of the table the AppHost prints after <c>Gateway is ready.</c></summary>
public sealed record AppHostResource(string Name, string Kind, int ProcessId, string Url);

/// <summary>
/// The AppHost started by a test as <c>dotnet AppHost.dll --ports auto --work-dir {temp}</c>. Disposing
/// kills its process tree and any recorded child that outlived it, so a failing test leaves nothing behind.
/// </summary>
public sealed partial class AppHostRun : IAsyncDisposable
{
    public const string ReadyLine = "Gateway is ready.";

    /// <summary>Generous: on a shared 2-core machine seven .NET processes start and JIT at once.</summary>
    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(90);

    private readonly TestProcess _process;
    private readonly TempFolder _workDirectory;
    private readonly HashSet<ProcessIdentity> _children = [];

    private AppHostRun(TestProcess process, TempFolder workDirectory)
    {
        _process = process;
        _workDirectory = workDirectory;
        // Recorded as each child starts, so that even a run that never gets ready can be checked for survivors.
        _process.Line += line =>
        {
            if (StartedLine().Match(line) is { Success: true } started)
            {
                Record(int.Parse(started.Groups[1].Value, CultureInfo.InvariantCulture));
            }
        };
    }

    public int ProcessId => _process.Id;

    public string Output => _process.Output;

    /// <summary>The ready table, without the AppHost's own row; empty until <see cref="WaitForReadyAsync"/>.</summary>
    public IReadOnlyList<AppHostResource> Resources { get; private set; } = [];

    /// <summary>Every child recorded so far (from the "Started" lines, the table and /proc).</summary>
    public IReadOnlyList<ProcessIdentity> Children
    {
        get
        {
            lock (_children)
            {
                return [.. _children];
            }
        }
    }

    public AppHostResource this[string name] => Resources.Single(r => r.Name == name);

    /// <summary>The sidecars' working directory: data/gateway.db and the sidecar registry live here.</summary>
    public string WorkDirectory => _workDirectory.Path;

    /// <summary>Starts the AppHost on free ports in a fresh working directory (its own SQLite file and sidecar registry).</summary>
    public static AppHostRun Start(params string[] extraArguments) => Start(environment: null, extraArguments);

    public static AppHostRun Start(IReadOnlyDictionary<string, string?>? environment, params string[] extraArguments)
    {
        var workDirectory = new TempFolder("gateway-apphost");
        // The AppHost's own startup timeout is shorter than the test's, so that its report of what is unhealthy is seen.
        string[] arguments = ["--ports", "auto", "--work-dir", workDirectory.Path, "--startup-timeout", "80", "--shutdown-timeout", "15", .. extraArguments];
        return new AppHostRun(TestProcess.StartDotnet(Launchables.AppHost, arguments, environment), workDirectory);
    }

    public async Task WaitForReadyAsync()
    {
        await _process.WaitForLineAsync(l => l == ReadyLine, ReadyTimeout);
        // The table is written in one piece and ends with the first empty line of the output.
        await _process.WaitForLineAsync(l => l.Length == 0, TimeSpan.FromSeconds(10));
        Resources = ParseTable(_process.Output);
        RecordChildren();
    }

    /// <summary>Records the AppHost's current children, e.g. right before asking it to stop.</summary>
    public void RecordChildren()
    {
        foreach (var child in ProcessTable.ChildrenOf(ProcessId))
        {
            lock (_children)
            {
                _children.Add(child);
            }
        }

        foreach (var resource in Resources)
        {
            Record(resource.ProcessId);
        }
    }

    public IReadOnlyList<ProcessIdentity> RunningChildren()
    {
        lock (_children)
        {
            return [.. _children.Where(ProcessTable.IsRunning)];
        }
    }

    /// <summary>SIGINT, as Ctrl+C at a terminal would send (to the AppHost only).</summary>
    public void Interrupt() => _process.Signal(2);

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            return await _process.WaitForExitAsync(timeout);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The AppHost did not exit within {timeout}. Output:\n{Tail()}");
        }
    }

    /// <summary>The last lines of output, for assertion messages.</summary>
    public string Tail(int lines = 80) =>
        string.Join(Environment.NewLine, Output.Split(Environment.NewLine).TakeLast(lines));

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            RecordChildren();
        }

        await _process.DisposeAsync();
        foreach (var child in Children)
        {
            ProcessTable.Kill(child);
        }

        _workDirectory.Dispose();
    }

    private void Record(int pid)
    {
        if (ProcessTable.Identify(pid) is { } child)
        {
            lock (_children)
            {
                _children.Add(child);
            }
        }
    }

    [GeneratedRegex(@"^\[apphost\]\s+Started \S+ \(pid (\d+)\)")]
    private static partial Regex StartedLine();

    private static List<AppHostResource> ParseTable(string output)
    {
        var lines = output.Split(Environment.NewLine);
        var start = Array.LastIndexOf(lines, ReadyLine);
        var rows = new List<AppHostResource>();
        // Skip the ready line and the header; lines of other streams (always "[name] ...") may slip in between.
        foreach (var line in lines.Skip(start + 2).Where(l => !l.StartsWith('[')).TakeWhile(l => l.Length > 0))
        {
            var cells = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (cells is [var name, var kind, var pid, var url] && kind != "host")
            {
                rows.Add(new AppHostResource(name, kind, int.Parse(pid, CultureInfo.InvariantCulture), url));
            }
        }

        return rows;
    }
}
