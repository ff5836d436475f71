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
        output.Info($"Store: {plan.Store} (components: {plan.ResourcesPath})");
        output.Info($"Sidecar: {plan.Sidecar} (working directory: {plan.WorkDirectory})");
        Directory.CreateDirectory(Path.Combine(plan.WorkDirectory, "data"));

        using var supervisor = new ProcessSupervisor(output, time);
        var exitCode = await StartAndSuperviseAsync(supervisor, signals, probeClient).ConfigureAwait(false);
        output.Info("Stopping all resources...");
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

            output.Info($"Started {resource.Name} (pid {supervisor.Children[^1].Id}) on {resource.Url}.");
        }

        var stopRequested = WhenCancelled(signals.StopRequested);
        using var abandonReadiness = new CancellationTokenSource();
        var readiness = new ReadinessWaiter(probeClient, time, output).WaitAsync(plan.Resources, startupTimeout, abandonReadiness.Token);
        var first = await Task.WhenAny(readiness, supervisor.FirstExit, stopRequested).ConfigureAwait(false);
        if (first != readiness)
        {
            await abandonReadiness.CancelAsync().ConfigureAwait(false);
            await readiness.ContinueWith(static _ => { }, TaskScheduler.Default).ConfigureAwait(false);
        }

        if (first == supervisor.FirstExit && !await StopRequestedSoonAsync(signals).ConfigureAwait(false))
        {
            ReportExit(await supervisor.FirstExit.ConfigureAwait(false), "during startup");
            return ExitCodes.Failure;
        }

        if (first != readiness || signals.StopRequested.IsCancellationRequested)
        {
            output.Info("Stop requested before every resource was healthy.");
            return ExitCodes.Interrupted;
        }

        var notReady = await readiness.ConfigureAwait(false);
        if (notReady.Count > 0)
        {
            foreach (var resource in notReady)
            {
                output.Error($"{resource.Name} is not healthy after {startupTimeout.TotalSeconds:0.#} s: {resource.LastObservation}.");
            }

            return ExitCodes.Failure;
        }

        ConsoleOutput.Block(ResourceTable.Format(Environment.ProcessId, supervisor.Children));
        output.Info($"Store: {plan.Store}; sidecar: {plan.Sidecar}. Press Ctrl+C to stop.");

        if (await Task.WhenAny(supervisor.FirstExit, stopRequested).ConfigureAwait(false) == stopRequested
            || await StopRequestedSoonAsync(signals).ConfigureAwait(false))
        {
            return ExitCodes.Success;
        }

        ReportExit(await supervisor.FirstExit.ConfigureAwait(false), "unexpectedly");
        return ExitCodes.Failure;
    }

    private void ReportExit(ChildProcess child, string when) =>
        output.Error($"{child.Spec.Name} (pid {child.Id}) exited {when} with code {child.Exited.Result}; stopping everything.");

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
