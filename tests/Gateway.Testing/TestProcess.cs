using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Gateway.Testing;

/// <summary>
/// A child process a test owns: output captured (and echoed to the test log on failure via
/// <see cref="Output"/>), killed with its whole tree on dispose so no test leaves a process behind.
/// </summary>
public sealed partial class TestProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();

    private TestProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public int ExitCode => _process.ExitCode;

    /// <summary>Everything the process wrote so far, stdout and stderr interleaved.</summary>
    public string Output => string.Join(Environment.NewLine, _output);

    /// <summary>Raised for each line of output.</summary>
    public event Action<string>? Line;

    /// <summary>Starts <c>dotnet {dll} {args}</c>.</summary>
    public static TestProcess StartDotnet(string dll, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null, string? workingDirectory = null) =>
        Start("dotnet", [dll, .. args], environment, workingDirectory);

    public static TestProcess Start(string fileName, IEnumerable<string> args, IReadOnlyDictionary<string, string?>? environment = null, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // Tests must not inherit a developer's sidecar settings.
        foreach (var name in new[] { "DAPR_HTTP_PORT", "DAPR_HTTP_ENDPOINT", "DAPR_API_TOKEN", "APP_API_TOKEN", "LOCALSIDECAR_REGISTRY" })
        {
            info.Environment.Remove(name);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";

        // Children stop by themselves if the test run dies without disposing them.
        info.Environment["GATEWAY_PARENT_PID"] = Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            if (value is null)
            {
                info.Environment.Remove(name);
            }
            else
            {
                info.Environment[name] = value;
            }
        }

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var started = new TestProcess(process);
        process.OutputDataReceived += (_, e) => started.OnLine(e.Data);
        process.ErrorDataReceived += (_, e) => started.OnLine(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return started;
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        Line?.Invoke(line);
    }

    /// <summary>Completes when a line matching <paramref name="predicate"/> appears (or has appeared).</summary>
    public async Task<string> WaitForLineAsync(Func<string, bool> predicate, TimeSpan timeout)
    {
        var found = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Handler(string line)
        {
            if (predicate(line))
            {
                found.TrySetResult(line);
            }
        }

        Line += Handler;
        try
        {
            if (_output.FirstOrDefault(predicate) is { } already)
            {
                return already;
            }

            using var cts = new CancellationTokenSource(timeout);
            var exited = _process.WaitForExitAsync(cts.Token);
            var winner = await Task.WhenAny(found.Task, exited, Task.Delay(Timeout.Infinite, cts.Token)).ConfigureAwait(false);
            if (winner == found.Task)
            {
                return await found.Task.ConfigureAwait(false);
            }

            throw new TimeoutException(_process.HasExited
                ? $"process exited with {_process.ExitCode} before the expected line:\n{Output}"
                : $"the expected line did not appear within {timeout}:\n{Output}");
        }
        finally
        {
            Line -= Handler;
        }
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
        return _process.ExitCode;
    }

    /// <summary>Sends a POSIX signal (SIGINT = 2, SIGTERM = 15, SIGKILL = 9).</summary>
    public void Signal(int signal)
    {
        if (Kill(_process.Id, signal) != 0)
        {
            throw new InvalidOperationException($"kill({_process.Id}, {signal}) failed: errno {Marshal.GetLastPInvokeError()}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        finally
        {
            _process.Dispose();
        }
    }

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);
}
