using System.Collections.Concurrent;
using Gateway.FakeTaskProvider.Model;

namespace Gateway.FakeTaskProvider.Services;

/// <summary>The fake provider's tasks, in memory (a restart forgets them, as a demo may).</summary>
internal sealed class TaskBook(TimeProvider time)
{
    private readonly ConcurrentDictionary<string, FakeTask> _tasks = new(StringComparer.Ordinal);
    private int _submits;

    public int Submits => Volatile.Read(ref _submits);

    public FakeTask Create(bool succeeds, int steps, int usage)
    {
        Interlocked.Increment(ref _submits);
        var task = new FakeTask("task_" + Guid.NewGuid().ToString("N")[..20], succeeds, steps, usage, time.GetUtcNow());
        _tasks[task.Id] = task;
        return task;
    }

    /// <summary>Counts a submit that did not create a task (it was told to fail).</summary>
    public void CountRefusedSubmit() => Interlocked.Increment(ref _submits);

    public FakeTask? Find(string id) => _tasks.GetValueOrDefault(id);
}
