using Microsoft.Extensions.Logging;

namespace Gateway.LocalSidecar.State;

/// <summary>
/// Runs a store's removal of expired items every interval on a timer of the store's
/// <see cref="TimeProvider"/>, off the request path. A run still going when the next tick comes
/// makes that tick a no-op.
/// </summary>
internal sealed partial class PeriodicCleanup : IAsyncDisposable
{
    private readonly Func<CancellationToken, Task<int>> _cleanup;
    private readonly ILogger _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly ITimer _timer;
    private Task _running = Task.CompletedTask;
    private int _busy;

    private PeriodicCleanup(TimeSpan interval, TimeProvider timeProvider, Func<CancellationToken, Task<int>> cleanup, ILogger logger)
    {
        _cleanup = cleanup;
        _logger = logger;
        _timer = timeProvider.CreateTimer(static state => ((PeriodicCleanup)state!).Tick(), this, interval, interval);
    }

    /// <summary>The scheduled cleanup, or <see langword="null"/> when <paramref name="interval"/> disables it (zero or negative).</summary>
    public static PeriodicCleanup? Start(TimeSpan interval, TimeProvider timeProvider, Func<CancellationToken, Task<int>> cleanup, ILogger logger) =>
        interval > TimeSpan.Zero ? new PeriodicCleanup(interval, timeProvider, cleanup, logger) : null;

    public async ValueTask DisposeAsync()
    {
        // Disposing the timer waits for a callback in flight, so _running is final afterwards.
        await _timer.DisposeAsync().ConfigureAwait(false);
        await _stopping.CancelAsync().ConfigureAwait(false);
        await Volatile.Read(ref _running).ConfigureAwait(false);
        _stopping.Dispose();
    }

    private void Tick()
    {
        if (Interlocked.Exchange(ref _busy, 1) == 1)
        {
            return;
        }

        Volatile.Write(ref _running, RunAsync());
    }

    private async Task RunAsync()
    {
        try
        {
            var removed = await _cleanup(_stopping.Token).ConfigureAwait(false);
            LogRemoved(_logger, removed);
        }
        catch (OperationCanceledException) when (_stopping.IsCancellationRequested)
        {
        }
#pragma warning disable CA1031 // A failed cleanup must not stop the next one; the store keeps working without it.
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogFailed(_logger, ex);
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Debug, Message = "Removed {Count} expired state items")]
    private static partial void LogRemoved(ILogger logger, int count);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Removing expired state items failed")]
    private static partial void LogFailed(ILogger logger, Exception exception);
}
