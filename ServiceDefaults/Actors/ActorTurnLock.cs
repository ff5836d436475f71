namespace Gateway.ServiceDefaults.Actors;

/// <summary>
/// One actor instance's turn: one call at a time, in arrival order (the sidecar already serialises
/// calls; this keeps the app correct when called directly too). With reentrancy, a call carrying
/// the reentrancy id of the chain that holds the turn joins it instead of waiting for it, which
/// would wait forever (A → B → A).
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Design", "CA1001", Justification = "A SemaphoreSlim whose wait handle is never asked for holds nothing to release; disposing it would fail the calls still queued on a deactivated instance, which must get the turn to see that it is gone.")]
internal sealed class ActorTurnLock
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _sync = new();
    private string? _holder;
    private int _depth;

    /// <summary>
    /// Waits for the turn, or joins it when <paramref name="reentrancyId"/> is the holder's.
    /// Returns null when joining would exceed <paramref name="maxDepth"/>.
    /// </summary>
    public async ValueTask<Turn?> EnterAsync(string? reentrancyId, int maxDepth, CancellationToken cancellationToken)
    {
        if (reentrancyId is not null)
        {
            lock (_sync)
            {
                if (_depth > 0 && string.Equals(_holder, reentrancyId, StringComparison.Ordinal))
                {
                    if (_depth >= maxDepth)
                    {
                        return null;
                    }

                    _depth++;
                    return new Turn(this, isOutermost: false);
                }
            }
        }

        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        lock (_sync)
        {
            _holder = reentrancyId;
            _depth = 1;
        }

        return new Turn(this, isOutermost: true);
    }

    private void Exit()
    {
        lock (_sync)
        {
            if (--_depth > 0)
            {
                return;
            }

            _holder = null;
        }

        _gate.Release();
    }

    /// <summary>A held turn; disposing it hands the turn on. <see cref="IsOutermost"/> is false for a reentrant call inside another.</summary>
    internal sealed class Turn(ActorTurnLock owner, bool isOutermost) : IDisposable
    {
        private int _disposed;

        public bool IsOutermost => isOutermost;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                owner.Exit();
            }
        }
    }
}
