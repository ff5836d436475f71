using Gateway.AppHost.Processes;
using Gateway.AppHost.Resources;
using Gateway.AppHost.Startup;

namespace Gateway.AppHost;

/// <summary>One run of the suite: start every resource, wait for health, supervise, stop everything.</summary>
internal sealed class GatewaySuite(SuitePlan plan, TimeSpan startupTimeout, TimeSpan shutdownTimeout, ConsoleOutput output, TimeProvider time)
{
    /// <summary>
    /// A Ctrl+C at a terminal reaches the children too (same process group), so a child may exit a
    /// moment before our own handler runs; an exit this close to a stop signal is not a failure.
    /// </summary>
    private static readonly TimeSpan SignalRaceWindow = TimeSpan.FromMilliseconds(500);

    public async Task<int> RunAsync(StopSignals signals, HttpClient probeClient)
    {
        ArgumentNullException.ThrowIfNull(signals);
        ArgumentNullException.ThrowIfNull(probeClient);
        output.Info($"Store: {plan.Store} (components: {plan.ResourcesPath})");
        output.Info($"Sidecar: {plan.Sidecar} (working directory: {plan.WorkDirectory})");
        try
        {
            Directory.CreateDirectory(Path.Combine(plan.WorkDirectory, "data"));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            output.Error($"Cannot create {Path.Combine(plan.WorkDirectory, "data")}: {ex.Message}");
            return ExitCodes.Failure;
        }

        // Disposing the supervisor kills whatever still runs, even if something below throws.
        using var supervisor = new ProcessSupervisor(output, time);
        var exitCode = await StartAndSuperviseAsync(supervisor, signals, probeClient).ConfigureAwait(false);
        output.Info($"Stopping all resources (each gets {shutdownTimeout.TotalSeconds:0.#} s; Ctrl+C again kills them at once)...");
        await supervisor.StopAllAsync(shutdownTimeout, signals.KillRequested).ConfigureAwait(false);
        output.Info($"Stopped (exit code {exitCode}).");
        return exitCode;
    }

    private async Task<int> StartAndSuperviseAsync(ProcessSupervisor supervisor, StopSignals signals, HttpClient probeClient)
    {
        foreach (var resource in plan.Resources)
        {
            if (!supervisor.TryStart(resource, out var error))
            {
                output.Error(error);
                return ExitCodes.Failure;
            }

            // Scripts and tests read the pid from this line to check that no child outlives a failed start.
            output.Info($"Started {resource.Name} (pid {supervisor.Children[^1].Id}) on {resource.Url}.");
        }

        var stopRequested = WhenCancelled(signals.StopRequested);
        if (await WaitUntilReadyAsync(supervisor, signals, stopRequested, probeClient).ConfigureAwait(false) is { } startupFailure)
        {
            return startupFailure;
        }

        ConsoleOutput.Block(ResourceTable.Format(Environment.ProcessId, supervisor.Children));
        output.Info($"Store: {plan.Store}; sidecar: {plan.Sidecar}. Press Ctrl+C to stop.");

        await Task.WhenAny(supervisor.FirstExit, stopRequested).ConfigureAwait(false);
        return await StoppedOrFailedAsync(supervisor, signals, "unexpectedly", ExitCodes.Success).ConfigureAwait(false);
    }

    /// <returns>null when every resource is healthy; otherwise the exit code.</returns>
    private async Task<int?> WaitUntilReadyAsync(ProcessSupervisor supervisor, StopSignals signals, Task stopRequested, HttpClient probeClient)
    {
        using var abandon = new CancellationTokenSource();
        var readiness = new ReadinessWaiter(probeClient, time, output).WaitAsync(plan.Resources, startupTimeout, abandon.Token);
        if (await Task.WhenAny(readiness, supervisor.FirstExit, stopRequested).ConfigureAwait(false) == readiness)
        {
            var notReady = await readiness.ConfigureAwait(false);
            foreach (var resource in notReady)
            {
                output.Error($"{resource.Name} is not healthy after {startupTimeout.TotalSeconds:0.#} s: {resource.LastObservation}.");
            }

            return notReady.Count == 0 ? null : ExitCodes.Failure;
        }

        await abandon.CancelAsync().ConfigureAwait(false);
        try
        {
            await readiness.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Abandoned on purpose.
        }

        var exitCode = await StoppedOrFailedAsync(supervisor, signals, "during startup", ExitCodes.Interrupted).ConfigureAwait(false);
        if (exitCode == ExitCodes.Interrupted)
        {
            output.Info("Stop requested before every resource was healthy.");
        }

        return exitCode;
    }

    /// <summary>After a child exited or a stop was requested: which of the two it is, reported.</summary>
    private async Task<int> StoppedOrFailedAsync(ProcessSupervisor supervisor, StopSignals signals, string when, int stoppedExitCode)
    {
        if (await StopRequestedSoonAsync(signals).ConfigureAwait(false))
        {
            return stoppedExitCode;
        }

        var child = await supervisor.FirstExit.ConfigureAwait(false);
        var code = await child.Exited.ConfigureAwait(false);
        output.Error($"{child.Spec.Name} (pid {child.Id}) exited {when} with code {code}; stopping everything.");
        return ExitCodes.Failure;
    }

    private async Task<bool> StopRequestedSoonAsync(StopSignals signals)
    {
        try
        {
            await Task.Delay(SignalRaceWindow, time, signals.StopRequested).ConfigureAwait(false);
            return false;
        }
        catch (OperationCanceledException)
        {
            return true;
        }
    }

    private static Task WhenCancelled(CancellationToken token)
    {
        var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        token.Register(() => completion.TrySetResult());
        return completion.Task;
    }
}
