using System.Diagnostics;
using System.Globalization;
using Microsoft.Extensions.Hosting;

namespace Gateway.Hosting;

/// <summary>
/// Stops this process when the process named by <c>GATEWAY_PARENT_PID</c> is gone, so that
/// children of a launcher (the AppHost, a test run) never outlive it, even when it is killed
/// outright and cannot stop them. Compiled into ServiceDefaults and LocalSidecar alike.
/// </summary>
internal sealed class ParentProcessWatch(IHostApplicationLifetime lifetime, TimeProvider time) : BackgroundService
{
    public const string Variable = "GATEWAY_PARENT_PID";

    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!int.TryParse(Environment.GetEnvironmentVariable(Variable), NumberStyles.None, CultureInfo.InvariantCulture, out var parent))
        {
            return;
        }

        // Stopping while the host is still starting would abort the start itself.
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        {
            await started.Task.WaitAsync(stoppingToken).ConfigureAwait(false);
        }

        using var timer = new PeriodicTimer(Interval, time);
        while (IsRunning(parent) && await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false))
        {
        }

        if (!stoppingToken.IsCancellationRequested)
        {
            lifetime.StopApplication();
        }
    }

    /// <summary>True while process <paramref name="pid"/> exists and has not exited.</summary>
    internal static bool IsRunning(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }
}
