namespace Gateway.FakeTaskProvider.Model;

/// <summary>
/// A task of the fake provider. It walks <c>queued → running → succeeded | failed</c> one step
/// per poll: the first <see cref="Steps"/> polls see it queued (the first) or running, the next
/// one sees it end.
/// </summary>
internal sealed class FakeTask(string id, bool succeeds, int steps, int usage, DateTimeOffset createdAt)
{
    private int _polls;

    public string Id { get; } = id;

    public bool Succeeds { get; } = succeeds;

    public int Steps { get; } = steps;

    public int Usage { get; } = usage;

    public DateTimeOffset CreatedAt { get; } = createdAt;

    public int Polls => Volatile.Read(ref _polls);

    /// <summary>Counts a poll and answers the status it sees.</summary>
    public string Poll()
    {
        var poll = Interlocked.Increment(ref _polls);
        return poll > Steps ? (Succeeds ? "succeeded" : "failed") : poll == 1 ? "queued" : "running";
    }
}
