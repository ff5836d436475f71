using System.Collections.Concurrent;

namespace Gateway.LocalSidecar.Tests.SdkActors;

public enum ActorEventKind
{
    Activated,
    Deactivated,
    Reminder,
    Timer,
}

/// <summary>One thing an actor did, in the order the app saw it (<paramref name="Sequence"/>).</summary>
public sealed record ActorEvent(long Sequence, string Host, string ActorId, ActorEventKind Kind, string Name, string Data);

/// <summary>
/// What the actors of one test app did: activations, deactivations, reminder and timer firings,
/// and how many calls ran inside one actor at once. Tests read it to wait for, and check, what the
/// sidecar made the SDK do.
/// </summary>
public sealed class ActorJournal(string host)
{
    private static long s_sequence;
    private readonly ConcurrentQueue<ActorEvent> _events = new();
    private readonly ConcurrentDictionary<string, TurnCounter> _turns = new(StringComparer.Ordinal);

    /// <summary>The name of the app this journal belongs to.</summary>
    public string Host { get; } = host;

    public IReadOnlyList<ActorEvent> Events => [.. _events.OrderBy(e => e.Sequence)];

    // One sequence over every journal of the test run, so events of two apps can be ordered too.
    public void Record(string actorId, ActorEventKind kind, string name = "", string data = "") =>
        _events.Enqueue(new ActorEvent(Interlocked.Increment(ref s_sequence), Host, actorId, kind, name, data));

    public IReadOnlyList<ActorEvent> Of(string actorId, ActorEventKind kind, string? name = null) =>
        [.. Events.Where(e => e.ActorId == actorId && e.Kind == kind && (name is null || e.Name == name))];

    public int Count(string actorId, ActorEventKind kind, string? name = null) => Of(actorId, kind, name).Count;

    /// <summary>Marks a call running inside the actor until disposed.</summary>
    public IDisposable EnterTurn(string actorId) => _turns.GetOrAdd(actorId, _ => new TurnCounter()).Enter();

    /// <summary>The most calls that ever ran inside <paramref name="actorId"/> at the same time.</summary>
    public int MaxConcurrency(string actorId) => _turns.TryGetValue(actorId, out var counter) ? counter.Max : 0;

    private sealed class TurnCounter
    {
        private int _inside;
        private int _max;

        public int Max => Volatile.Read(ref _max);

        public IDisposable Enter()
        {
            var inside = Interlocked.Increment(ref _inside);
            int max;
            while (inside > (max = Volatile.Read(ref _max)) && Interlocked.CompareExchange(ref _max, inside, max) != max)
            {
                // Another call raised the maximum meanwhile; compare again.
            }

            return new Exit(this);
        }

        private sealed class Exit(TurnCounter counter) : IDisposable
        {
            private int _disposed;

            public void Dispose()
            {
                if (Interlocked.Exchange(ref _disposed, 1) == 0)
                {
                    Interlocked.Decrement(ref counter._inside);
                }
            }
        }
    }
}
