namespace Gateway.ProxyService.Services;

/// <summary>Wakes the settlement retrier early, when a settlement has just failed and its next attempt is due sooner than the next scan.</summary>
internal sealed class SettlementSignal
{
    private TaskCompletionSource _wake = NewSource();

    public void Wake() => Interlocked.Exchange(ref _wake, NewSource()).TrySetResult();

    /// <summary>Completes after <paramref name="delay"/> or at the next <see cref="Wake"/>, whichever is first.</summary>
    public async Task WaitAsync(TimeSpan delay, TimeProvider time, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var woken = Volatile.Read(ref _wake).Task;
        var elapsed = Task.Delay(delay, time, timeout.Token);
        await Task.WhenAny(woken, elapsed).ConfigureAwait(false);
        await timeout.CancelAsync().ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested();
    }

    private static TaskCompletionSource NewSource() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
