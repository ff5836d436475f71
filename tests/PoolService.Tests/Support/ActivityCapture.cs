using System.Collections.Concurrent;
using System.Diagnostics;

namespace Gateway.PoolService.Tests.Support;

/// <summary>Every activity of every source in this process, flattened to text (names, tags, events, baggage): to show what traces never carry.</summary>
internal sealed class ActivityCapture : IDisposable
{
    private readonly ConcurrentQueue<string> _lines = new();
    private readonly ActivityListener _listener;

    public ActivityCapture()
    {
        _listener = new ActivityListener
        {
            ShouldListenTo = _ => true,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => _lines.Enqueue(string.Join(
                " | ",
                [
                    activity.Source.Name,
                    activity.DisplayName,
                    .. activity.TagObjects.Select(t => $"{t.Key}={t.Value}"),
                    .. activity.Events.SelectMany(e => e.Tags.Select(t => $"{e.Name}:{t.Key}={t.Value}")),
                    .. activity.Baggage.Select(b => $"{b.Key}={b.Value}"),
                ])),
        };
        ActivitySource.AddActivityListener(_listener);
    }

    public IReadOnlyCollection<string> Lines => _lines;

    public void Dispose() => _listener.Dispose();
}
