namespace Gateway.LocalSidecar.Actors;

/// <summary>
/// Turn-based concurrency: one call at a time per actor, waiting callers served first come first
/// served (SemaphoreSlim queues asynchronous waiters in order), different actors in parallel.
/// With reentrancy, a call carrying the reentrancy id of the turn in progress joins that turn
/// instead of waiting for it, up to a maximum depth.
/// </summary>
internal sealed class ActorTurns(TimeProvider time)
{
    private readonly Dictionary<ActorKey, Slot> _slots = [];

    /// <summary>Waits for the actor's turn. Throws <see cref="ActorStackDepthException"/> beyond the depth limit.</summary>
    public async Task<Turn> EnterAsync(ActorKey key, string? reentrancyId, int maxDepth, CancellationToken cancellationToken)
    {
        Slot slot;
        lock (_slots)
        {
            if (!_slots.TryGetValue(key, out slot!))
            {
                slot = new Slot();
                _slots[key] = slot;
            }

            slot.Users++;
            if (reentrancyId is not null && slot.ReentrancyId == reentrancyId)
            {
                if (slot.Depth >= maxDepth)
                {
                    slot.Users--;
                    throw new ActorStackDepthException();
                }

                slot.Depth++;
                return new Turn(this, key, slot, reentrant: true);
            }
        }

        try
        {
            await slot.Gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            Leave(key, slot);
            throw;
        }

        lock (_slots)
        {
            slot.ReentrancyId = reentrancyId;
            slot.Depth = 1;
        }

        return new Turn(this, key, slot, reentrant: false);
    }

    /// <summary>The turn of an idle actor, or null when a call holds or awaits it.</summary>
    public Turn? TryEnterIdle(ActorKey key)
    {
        lock (_slots)
        {
            if (!_slots.TryGetValue(key, out var slot) || slot.Users > 0 || !slot.Gate.Wait(0))
            {
                return null;
            }

            slot.Users++;
            slot.Depth = 1;
            return new Turn(this, key, slot, reentrant: false);
        }
    }

    /// <summary>Actors that had a call and no call for at least <paramref name="idleTimeout"/> of their own.</summary>
    public IReadOnlyList<ActorKey> Idle(Func<ActorKey, TimeSpan> idleTimeout)
    {
        var now = time.GetTimestamp();
        lock (_slots)
        {
            return [.. _slots.Where(s => s.Value.Users == 0 && time.GetElapsedTime(s.Value.LastUsed, now) >= idleTimeout(s.Key)).Select(s => s.Key)];
        }
    }

    private void Leave(ActorKey key, Slot slot)
    {
        lock (_slots)
        {
            slot.Users--;
            slot.LastUsed = time.GetTimestamp();
        }
    }

    /// <summary>Forgets an actor whose turn the caller holds (after deactivation).</summary>
    private void Forget(ActorKey key, Slot slot)
    {
        lock (_slots)
        {
            if (slot.Users == 1 && _slots.TryGetValue(key, out var current) && current == slot)
            {
                _slots.Remove(key);
            }
        }
    }

    internal sealed class Slot
    {
        public SemaphoreSlim Gate { get; } = new(1, 1);

        public string? ReentrancyId { get; set; }

        public int Depth { get; set; }

        public int Users { get; set; }

        public long LastUsed { get; set; }
    }

    /// <summary>A held turn; disposing it lets the next caller in.</summary>
    internal sealed class Turn : IDisposable
    {
        private readonly ActorTurns _owner;
        private readonly ActorKey _key;
        private readonly Slot _slot;
        private readonly bool _reentrant;
        private bool _forget;
        private bool _disposed;

        internal Turn(ActorTurns owner, ActorKey key, Slot slot, bool reentrant)
        {
            _owner = owner;
            _key = key;
            _slot = slot;
            _reentrant = reentrant;
        }

        /// <summary>Drop the actor's bookkeeping when this turn ends (it was deactivated).</summary>
        public void ForgetActor() => _forget = true;

        public void Dispose()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            if (_reentrant)
            {
                lock (_owner._slots)
                {
                    _slot.Depth--;
                }

                _owner.Leave(_key, _slot);
                return;
            }

            if (_forget)
            {
                _owner.Forget(_key, _slot);
            }

            lock (_owner._slots)
            {
                _slot.ReentrancyId = null;
                _slot.Depth = 0;
            }

            _owner.Leave(_key, _slot);
            _slot.Gate.Release();
        }
    }
}

/// <summary>A reentrant call chain went deeper than the app's <c>maxStackDepth</c>.</summary>
internal sealed class ActorStackDepthException() : Exception("maximum stack depth exceeded");
