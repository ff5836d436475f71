using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gateway.LocalSidecar.Actors;

/// <summary>
/// Actor timers: in memory only, gone when the actor deactivates or the sidecar stops
/// (DAPR-HTTP.md section 4). Each fires through the actor's turn like any call. Deleting a timer
/// only stops its future firings: a callback in flight (which may be the one deleting it) finishes.
/// </summary>
internal sealed partial class ActorTimers : IDisposable
{
    private readonly ConcurrentDictionary<(ActorKey Actor, string Name), CancellationTokenSource> _timers = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly HostedActors _hosted;
    private readonly TimeProvider _time;
    private readonly ILogger<ActorTimers> _logger;

    public ActorTimers(HostedActors hosted, TimeProvider time, ILogger<ActorTimers> logger)
    {
        _hosted = hosted;
        _time = time;
        _logger = logger;
        hosted.Deactivated += CancelAll;
    }

    /// <summary>Starts (or replaces) a timer; returns an error message for a bad request.</summary>
    public string? Create(ActorKey actor, string name, TimerRequest request)
    {
        if (!ActorSchedule.TryParse(request.DueTime, request.Period, request.Ttl, _time.GetUtcNow(), out var schedule, out var error))
        {
            return error;
        }

        var cancellation = new CancellationTokenSource();
        if (_timers.TryRemove((actor, name), out var previous))
        {
            previous.Cancel();
            previous.Dispose();
        }

        _timers[(actor, name)] = cancellation;
        _ = RunAsync(actor, name, request, schedule, cancellation);
        return null;
    }

    public void Delete(ActorKey actor, string name)
    {
        if (_timers.TryRemove((actor, name), out var timer))
        {
            timer.Cancel();
            timer.Dispose();
        }
    }

    private void CancelAll(ActorKey actor)
    {
        foreach (var key in _timers.Keys.Where(k => k.Actor == actor))
        {
            Delete(key.Actor, key.Name);
        }
    }

    private async Task RunAsync(ActorKey actor, string name, TimerRequest request, ActorSchedule schedule, CancellationTokenSource cancellation)
    {
        var token = cancellation.Token;
        var (next, period, expires) = schedule;
        var repeats = period.Repeats;
        try
        {
            while (!token.IsCancellationRequested)
            {
                var wait = next - _time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, _time, token).ConfigureAwait(false);
                }

                if (expires is { } end && _time.GetUtcNow() >= end)
                {
                    break;
                }

                var payload = new TimerCallback(request.Callback ?? "", request.Data, request.DueTime ?? "", request.Period ?? "");
                var result = await _hosted.FireAsync(actor, $"timer/{Uri.EscapeDataString(name)}", payload, _stopping.Token).ConfigureAwait(false);
                if (!result.IsSuccess)
                {
                    LogTimerFailed(_logger, actor, name, result.StatusCode);
                }

                if (!period.HasRepeats || (repeats > 0 && --repeats == 0))
                {
                    break;
                }

                next = period.Following(next);
            }
        }
        catch (OperationCanceledException)
        {
            return;
        }

        if (_timers.TryGetValue((actor, name), out var current) && current == cancellation)
        {
            Delete(actor, name);
        }
    }

    public void Dispose()
    {
        _stopping.Cancel();
        foreach (var key in _timers.Keys)
        {
            Delete(key.Actor, key.Name);
        }

        _stopping.Dispose();
    }

    [LoggerMessage(EventId = 30, Level = LogLevel.Warning, Message = "Timer {Name} of actor {Actor} failed: status {Status}")]
    private static partial void LogTimerFailed(ILogger logger, ActorKey actor, string name, int status);
}

/// <summary>The body of a timer registration.</summary>
internal sealed record TimerRequest(
    [property: JsonPropertyName("dueTime")] string? DueTime,
    [property: JsonPropertyName("period")] string? Period,
    [property: JsonPropertyName("ttl")] string? Ttl,
    [property: JsonPropertyName("callback")] string? Callback,
    [property: JsonPropertyName("data")] JsonElement? Data);

/// <summary>What the app receives on <c>PUT /actors/{type}/{id}/method/timer/{name}</c>.</summary>
internal sealed record TimerCallback(
    [property: JsonPropertyName("callback")] string Callback,
    [property: JsonPropertyName("data")] JsonElement? Data,
    [property: JsonPropertyName("dueTime")] string DueTime,
    [property: JsonPropertyName("period")] string Period);
