using System.ComponentModel;
using Gateway.AppHost.Resources;

namespace Gateway.AppHost.Processes;

/// <summary>Owns every child: starts them, reports the first one to exit, and stops them all in tiers.</summary>
internal sealed class ProcessSupervisor(ConsoleOutput output, TimeProvider time) : IDisposable
{
    private readonly List<ChildProcess> _children = [];
    private readonly TaskCompletionSource<ChildProcess> _firstExit = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<ChildProcess> Children => _children;

    /// <summary>Completes when any child exits, whatever the reason.</summary>
    public Task<ChildProcess> FirstExit => _firstExit.Task;

    public bool TryStart(ResourceSpec spec, out string error)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ChildProcess child;
        try
        {
            child = ChildProcess.Start(spec, output, time);
        }
        catch (Win32Exception ex)
        {
            error = $"Could not start {spec.Name} ({spec.FileName}): {ex.Message}";
            return false;
        }

        _children.Add(child);
        _ = ReportExitAsync(child);
        error = "";
        return true;
    }

    /// <summary>Graceful stop, tier by tier (apps before sidecars); whatever outlives its grace period is killed.</summary>
    public async Task StopAllAsync(TimeSpan gracePeriod, CancellationToken killNow)
    {
        foreach (var tier in _children.GroupBy(c => c.Spec.StopTier).OrderBy(g => g.Key))
        {
            await Task.WhenAll(tier.Select(c => c.StopAsync(gracePeriod, killNow))).ConfigureAwait(false);
        }
    }

    /// <summary>Kills whatever is still running: the guarantee against orphans, even when stopping failed.</summary>
    public void Dispose()
    {
        foreach (var child in _children)
        {
            child.Dispose();
        }
    }

    private async Task ReportExitAsync(ChildProcess child)
    {
        await child.Exited.ConfigureAwait(false);
        _firstExit.TrySetResult(child);
    }
}
