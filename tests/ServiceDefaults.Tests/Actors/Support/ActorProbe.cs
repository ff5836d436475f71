using System.Collections.Concurrent;

namespace Gateway.ServiceDefaults.Tests.Actors.Support;

/// <summary>
/// What the sample actors did, as events such as <c>activate:c1</c> or <c>remind:c1:nudge</c>,
/// and gates a test opens to let a held call finish. A DI singleton of each test app.
/// </summary>
public sealed class ActorProbe
{
    private readonly ConcurrentQueue<string> _events = new();
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _gates = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int> _inside = new(StringComparer.Ordinal);
    private readonly List<(Func<IReadOnlyList<string>, bool> Done, TaskCompletionSource Signal)> _waiters = [];
    private int _maxInside;

    public IReadOnlyList<string> Events => [.. _events];

    /// <summary>The most calls seen inside <c>hold</c> at once, across all ids.</summary>
    public int MaxInside => Volatile.Read(ref _maxInside);

    public int Count(string @event) => _events.Count(e => e == @event);

    public void Record(string @event)
    {
        _events.Enqueue(@event);
        lock (_waiters)
        {
            var events = Events;
            foreach (var waiter in _waiters.Where(w => w.Done(events)).ToList())
            {
                waiter.Signal.TrySetResult();
                _waiters.Remove(waiter);
            }
        }
    }

    /// <summary>Completes once <paramref name="event"/> has been recorded <paramref name="times"/> times.</summary>
    public Task WaitForAsync(string @event, int times = 1, TimeSpan? timeout = null) =>
        WaitAsync(events => events.Count(e => e == @event) >= times, timeout, $"'{@event}' x{times}");

    public async Task WaitAsync(Func<IReadOnlyList<string>, bool> done, TimeSpan? timeout, string what)
    {
        var signal = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_waiters)
        {
            if (done(Events))
            {
                return;
            }

            _waiters.Add((done, signal));
        }

        try
        {
            await signal.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(15));
        }
        catch (TimeoutException)
        {
            throw new TimeoutException($"Waited in vain for {what}; events: {string.Join(", ", Events)}");
        }
    }

    /// <summary>The gate a held call waits on; <see cref="Open"/> releases it.</summary>
    public Task Gate(string name) => _gates.GetOrAdd(name, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;

    public void Open(string name) => _gates.GetOrAdd(name, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult();

    public void Enter(string actorId)
    {
        var inside = _inside.AddOrUpdate(actorId, 1, (_, n) => n + 1);
        var total = _inside.Values.Sum();
        int seen;
        do
        {
            seen = Volatile.Read(ref _maxInside);
        }
        while (total > seen && Interlocked.CompareExchange(ref _maxInside, total, seen) != seen);

        Record($"enter:{actorId}:{inside}");
    }

    public void Exit(string actorId) => _inside.AddOrUpdate(actorId, 0, (_, n) => n - 1);
}
