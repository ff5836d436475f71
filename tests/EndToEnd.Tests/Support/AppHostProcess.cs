using System.Globalization;
using Gateway.Testing;

namespace Gateway.EndToEnd.Tests.Support;

/// <summary>
/// The app host as a newcomer's terminal runs it: its own process (<c>dotnet AppHost.dll</c>,
/// with what launchSettings.json gives <c>dotnet run</c>), free ports, a fresh work directory.
/// Disposing kills it and every process of its suite still running, so a failing test leaves nothing behind.
/// </summary>
public sealed class AppHostProcess : IAsyncDisposable
{
    public const string ReadyLine = "Gateway is ready.";

    /// <summary>Generous: on a shared 2-core machine the orchestrator, the dashboard and eight .NET processes start at once.</summary>
    public static readonly TimeSpan ReadyTimeout = TimeSpan.FromMinutes(3);

    private readonly TestProcess _process;
    private readonly TempFolder _workDirectory;

    private AppHostProcess(TestProcess process, TempFolder workDirectory)
    {
        _process = process;
        _workDirectory = workDirectory;
    }

    public int ProcessId => _process.Id;

    public string Output => _process.Output;

    public string WorkDirectory => _workDirectory.Path;

    /// <summary>Starts the app host with <c>--ports auto --work-dir {temp}</c> before <paramref name="arguments"/>.</summary>
    public static AppHostProcess Start(IReadOnlyDictionary<string, string?>? environment, params string[] arguments)
    {
        var workDirectory = new TempFolder("gateway-apphost");
        var variables = new Dictionary<string, string?>(StringComparer.Ordinal)
        {
            ["ASPNETCORE_URLS"] = Origin(FreePort.Next()),
            ["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = Origin(FreePort.Next()),
            ["ASPIRE_ALLOW_UNSECURED_TRANSPORT"] = "true",
            ["DOTNET_ENVIRONMENT"] = "Development",
        };
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            variables[name] = value;
        }

        return new AppHostProcess(
            TestProcess.StartDotnet(Launchables.AppHost, ["--ports", "auto", "--work-dir", workDirectory.Path, .. arguments], variables),
            workDirectory);
    }

    /// <summary>Waits for the ready table and returns its rows (name → URL).</summary>
    public async Task<IReadOnlyDictionary<string, Uri>> WaitForReadyAsync()
    {
        await _process.WaitForLineAsync(l => l == ReadyLine, ReadyTimeout);
        // The table is written in one piece and ends with the first empty line after it.
        await _process.WaitForLineAsync(l => l.Length == 0, TimeSpan.FromSeconds(10));
        var lines = Output.Split(Environment.NewLine);
        return lines.Skip(Array.LastIndexOf(lines, ReadyLine) + 3)
            .TakeWhile(l => l.Length > 0)
            .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            .Where(cells => cells is [_, var url] && url.StartsWith("http://", StringComparison.Ordinal))
            .ToDictionary(cells => cells[0], cells => new Uri(cells[1]), StringComparer.Ordinal);
    }

    /// <summary>The processes of this suite: every service and sidecar carries the app host's pid in <c>GATEWAY_PARENT_PID</c>.</summary>
    public IReadOnlyList<ProcessIdentity> SuiteProcesses() =>
        ProcessTable.WithEnvironment("GATEWAY_PARENT_PID", ProcessId.ToString(CultureInfo.InvariantCulture));

    /// <summary>SIGINT, as Ctrl+C at a terminal sends it.</summary>
    public void Interrupt() => _process.Signal(2);

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        try
        {
            return await _process.WaitForExitAsync(timeout);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"The app host did not exit within {timeout}. Output:\n{Tail()}");
        }
    }

    /// <summary>The last lines of output, for assertion messages.</summary>
    public string Tail(int lines = 60) => string.Join(Environment.NewLine, Output.Split(Environment.NewLine).TakeLast(lines));

    public async ValueTask DisposeAsync()
    {
        var suite = SuiteProcesses();
        await _process.DisposeAsync();
        foreach (var process in suite)
        {
            ProcessTable.Kill(process);
        }

        _workDirectory.Dispose();
    }

    private static string Origin(int port) => $"http://127.0.0.1:{port.ToString(CultureInfo.InvariantCulture)}";
}
