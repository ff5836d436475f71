using System.ComponentModel;
using System.Diagnostics;
using Gateway.AppHost.Resources;

namespace Gateway.AppHost.Processes;

/// <summary>One started resource: its output streamed under its prefix, its exit observed, its stop enforced.</summary>
internal sealed class ChildProcess : IDisposable
{
    private static readonly TimeSpan KillWait = TimeSpan.FromSeconds(5);

    private readonly Process _process;
    private readonly ConsoleOutput _output;
    private readonly TimeProvider _time;

    private ChildProcess(ResourceSpec spec, Process process, ConsoleOutput output, TimeProvider time)
    {
        Spec = spec;
        _process = process;
        _output = output;
        _time = time;
        Id = process.Id;
        // WaitForExitAsync also waits for the end of the redirected output, so the last lines are printed before the exit is reported.
        Exited = WaitForExitCodeAsync(process);
    }

    public ResourceSpec Spec { get; }

    public int Id { get; }

    /// <summary>Completes with the exit code once the process has exited and its output is drained.</summary>
    public Task<int> Exited { get; }

    /// <exception cref="Win32Exception">The program could not be started (not found, not executable).</exception>
    public static ChildProcess Start(ResourceSpec spec, ConsoleOutput output, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(time);
        var info = new ProcessStartInfo(spec.FileName)
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            // Children must not share the terminal's input: a .NET child would otherwise change its echo settings.
            RedirectStandardInput = true,
            WorkingDirectory = spec.WorkingDirectory,
        };
        foreach (var argument in spec.Arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in spec.Environment)
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

        var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                output.ChildLine(spec.Name, e.Data, fromStandardError: false);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                output.ChildLine(spec.Name, e.Data, fromStandardError: true);
            }
        };

        try
        {
            process.Start();
        }
        catch
        {
            process.Dispose();
            throw;
        }

        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ChildProcess(spec, process, output, time);
    }

    /// <summary>
    /// Asks the process to stop (SIGTERM), waits up to <paramref name="gracePeriod"/>, then kills its
    /// whole tree. <paramref name="killNow"/> (a second Ctrl+C) skips the rest of the wait.
    /// </summary>
    public async Task StopAsync(TimeSpan gracePeriod, CancellationToken killNow)
    {
        if (Exited.IsCompleted)
        {
            return;
        }

        // Windows has no SIGTERM for console children; there the tree is killed straight away.
        if (!OperatingSystem.IsWindows() && NativeMethods.TrySendTerminate(Id))
        {
            using var deadline = new CancellationTokenSource(gracePeriod, _time);
            using var either = CancellationTokenSource.CreateLinkedTokenSource(deadline.Token, killNow);
            try
            {
                await Exited.WaitAsync(either.Token).ConfigureAwait(false);
                return;
            }
            catch (OperationCanceledException)
            {
                _output.Info(killNow.IsCancellationRequested
                    ? $"Killing {Spec.Name} (pid {Id}) and its process tree now, as asked."
                    : $"{Spec.Name} (pid {Id}) did not stop within {gracePeriod.TotalSeconds:0.#} s; killing its process tree.");
            }
        }

        KillTree();
        try
        {
            await Exited.WaitAsync(KillWait, _time, CancellationToken.None).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            _output.Error($"{Spec.Name} (pid {Id}) is still running {KillWait.TotalSeconds:0} s after being killed.");
        }
    }

    /// <summary>Last resort, also used when the AppHost itself fails: no child may outlive it.</summary>
    public void KillTree()
    {
        try
        {
            _process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // Already exited.
        }
        catch (Win32Exception ex)
        {
            _output.Error($"Could not kill {Spec.Name} (pid {Id}): {ex.Message}");
        }
    }

    public void Dispose()
    {
        if (!Exited.IsCompleted)
        {
            KillTree();
        }

        _process.Dispose();
    }

    private static async Task<int> WaitForExitCodeAsync(Process process)
    {
        await process.WaitForExitAsync().ConfigureAwait(false);
        return process.ExitCode;
    }
}
