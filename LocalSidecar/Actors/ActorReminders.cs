using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Serialization;
using Gateway.LocalSidecar.State;

namespace Gateway.LocalSidecar.Actors;

/// <summary>
/// Actor reminders, persisted in the actor state store so they survive restarts: one document
/// per actor type under <c>actors||{type}</c> (daprd's key before it moved reminders to its
/// scheduler service), changed only by ETag-checked writes so replicas never lose each other's
/// updates. Every sidecar whose app hosts the type loads the document; a reminder fires on the
/// sidecar that hosts its actor id at that moment, through the actor's turn.
/// </summary>
internal sealed partial class ActorReminders(
    StateStoreCatalog stores,
    HostedActors hosted,
    ActorPlacement placement,
    TimeProvider time,
    ILogger<ActorReminders> logger) : BackgroundService
{
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull };

    private readonly ConcurrentDictionary<string, IReadOnlyList<ReminderRecord>> _loaded = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(ActorKey, string), DateTimeOffset> _inFlight = new();
    private readonly SemaphoreSlim _changed = new(0);

    public static string DocumentKey(string actorType) => $"actors||{actorType}";

    /// <summary>Creates or replaces a reminder; returns an error message for a bad request.</summary>
    public async Task<string?> CreateAsync(ActorKey actor, string name, ReminderRequest request, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (!ActorSchedule.TryParse(request.DueTime, request.Period, request.Ttl, now, out var schedule, out var error))
        {
            return error;
        }

        var record = new ReminderRecord(actor.Id, actor.Type, name, request.Data, request.DueTime ?? "", request.Period ?? "", request.Ttl, now, schedule.Due, schedule.Expires, schedule.Period.Repeats);
        await UpdateAsync(actor.Type, list => [.. list.Where(r => !r.Is(actor, name)), record], cancellationToken).ConfigureAwait(false);
        _changed.Release();
        return null;
    }

    public async Task<ReminderRecord?> GetAsync(ActorKey actor, string name, CancellationToken cancellationToken) =>
        (await ReadAsync(actor.Type, cancellationToken).ConfigureAwait(false)).List.FirstOrDefault(r => r.Is(actor, name));

    public async Task DeleteAsync(ActorKey actor, string name, CancellationToken cancellationToken)
    {
        await UpdateAsync(actor.Type, list => list.Any(r => r.Is(actor, name)) ? [.. list.Where(r => !r.Is(actor, name))] : null, cancellationToken).ConfigureAwait(false);
        _changed.Release();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        await hosted.Configured.WaitAsync(stoppingToken).ConfigureAwait(false);
        if (hosted.Config.Entities.Count == 0 || stores.ActorStateStore is null)
        {
            return;
        }

        var lastRefresh = long.MinValue;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (lastRefresh == long.MinValue || time.GetElapsedTime(lastRefresh) >= RefreshInterval)
                {
                    foreach (var type in hosted.Config.Entities)
                    {
                        _loaded[type] = (await ReadAsync(type, stoppingToken).ConfigureAwait(false)).List;
                    }

                    lastRefresh = time.GetTimestamp();
                }

                var now = time.GetUtcNow();
                var nextWake = now + RefreshInterval;
                foreach (var reminder in _loaded.Values.SelectMany(l => l))
                {
                    var key = (reminder.Actor, reminder.Name);
                    if (_inFlight.TryGetValue(key, out var blockedUntil) && blockedUntil > now)
                    {
                        continue;
                    }

                    if (reminder.NextFire > now)
                    {
                        nextWake = reminder.NextFire < nextWake ? reminder.NextFire : nextWake;
                        continue;
                    }

                    if (!placement.IsLocal(reminder.Actor))
                    {
                        continue;
                    }

                    _inFlight[key] = DateTimeOffset.MaxValue;
                    _ = FireAsync(reminder, stoppingToken);
                }

                var wait = nextWake - time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    await _changed.WaitAsync(wait, stoppingToken).ConfigureAwait(false);
                    lastRefresh = long.MinValue;
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                LogSchedulerFailed(logger, e.Message);
                await Task.Delay(RetryDelay, time, stoppingToken).ConfigureAwait(false);
            }
        }
    }

    private async Task FireAsync(ReminderRecord reminder, CancellationToken cancellationToken)
    {
        var key = (reminder.Actor, reminder.Name);
        var retryAt = time.GetUtcNow() + RetryDelay;
        try
        {
            if (reminder.ExpirationTime is { } expires && time.GetUtcNow() >= expires)
            {
                await UpdateAsync(reminder.ActorType, list => Replace(list, reminder, null), cancellationToken).ConfigureAwait(false);
                return;
            }

            var payload = new ReminderCallback(reminder.Data, reminder.DueTime, reminder.Period);
            var result = await hosted.FireAsync(reminder.Actor, $"remind/{Uri.EscapeDataString(reminder.Name)}", payload, cancellationToken).ConfigureAwait(false);
            if (!result.IsSuccess)
            {
                LogReminderFailed(logger, reminder.Actor, reminder.Name, result.StatusCode);
                return;
            }

            retryAt = DateTimeOffset.MinValue;
            var next = result.CancelReminder ? null : reminder.AfterFiring(time.GetUtcNow());
            await UpdateAsync(reminder.ActorType, list => Replace(list, reminder, next), cancellationToken).ConfigureAwait(false);
            _changed.Release();
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogReminderFailed(logger, reminder.Actor, reminder.Name, 0);
        }
        finally
        {
            if (retryAt == DateTimeOffset.MinValue)
            {
                _inFlight.TryRemove(key, out _);
            }
            else
            {
                _inFlight[key] = retryAt;
            }
        }
    }

    // Replaces the reminder that fired, unless it was re-registered or deleted meanwhile.
    private static List<ReminderRecord>? Replace(IReadOnlyList<ReminderRecord> list, ReminderRecord fired, ReminderRecord? next)
    {
        var index = list.ToList().FindIndex(r => r.Is(fired.Actor, fired.Name) && r.RegisteredTime == fired.RegisteredTime);
        if (index < 0)
        {
            return null;
        }

        var updated = list.ToList();
        if (next is null)
        {
            updated.RemoveAt(index);
        }
        else
        {
            updated[index] = next;
        }

        return updated;
    }

    private async Task<(IReadOnlyList<ReminderRecord> List, string? ETag)> ReadAsync(string actorType, CancellationToken cancellationToken)
    {
        var store = stores.ActorStateStore ?? throw new InvalidOperationException("no actor state store");
        var item = await store.Store.GetAsync(DocumentKey(actorType), cancellationToken).ConfigureAwait(false);
        return item is null
            ? ([], null)
            : (JsonSerializer.Deserialize<List<ReminderRecord>>(item.Value, Json) ?? [], item.ETag);
    }

    /// <summary>Read, change, write with the ETag read; again on a conflict. A null change writes nothing.</summary>
    private async Task UpdateAsync(string actorType, Func<IReadOnlyList<ReminderRecord>, List<ReminderRecord>?> change, CancellationToken cancellationToken)
    {
        var store = stores.ActorStateStore ?? throw new InvalidOperationException("no actor state store");
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var (list, etag) = await ReadAsync(actorType, cancellationToken).ConfigureAwait(false);
            if (change(list) is not { } updated)
            {
                return;
            }

            var value = JsonSerializer.SerializeToUtf8Bytes(updated, Json);
            var result = await store.Store.SetAsync(
                new SetOperation(DocumentKey(actorType), value, etag, etag is null ? Concurrency.FirstWrite : Concurrency.LastWrite, Timeout.InfiniteTimeSpan),
                cancellationToken).ConfigureAwait(false);
            if (result == StoreResult.Ok)
            {
                _loaded[actorType] = updated;
                return;
            }
        }

        throw new InvalidOperationException($"could not update the reminders of actor type {actorType}: too many concurrent changes");
    }

    [LoggerMessage(EventId = 40, Level = LogLevel.Warning, Message = "Reminder {Name} of actor {Actor} failed (status {Status}); it will be retried")]
    private static partial void LogReminderFailed(ILogger logger, ActorKey actor, string name, int status);

    [LoggerMessage(EventId = 41, Level = LogLevel.Warning, Message = "Reminder scheduling failed: {Reason}")]
    private static partial void LogSchedulerFailed(ILogger logger, string reason);
}

/// <summary>The body of a reminder registration.</summary>
internal sealed record ReminderRequest(
    [property: JsonPropertyName("dueTime")] string? DueTime,
    [property: JsonPropertyName("period")] string? Period,
    [property: JsonPropertyName("ttl")] string? Ttl,
    [property: JsonPropertyName("data")] JsonElement? Data);

/// <summary>What the app receives on <c>PUT /actors/{type}/{id}/method/remind/{name}</c>.</summary>
internal sealed record ReminderCallback(
    [property: JsonPropertyName("data")] JsonElement? Data,
    [property: JsonPropertyName("dueTime")] string DueTime,
    [property: JsonPropertyName("period")] string Period);

/// <summary>A stored reminder. <c>Remaining</c> counts firings left (-1: no limit).</summary>
internal sealed record ReminderRecord(
    [property: JsonPropertyName("actorID")] string ActorId,
    [property: JsonPropertyName("actorType")] string ActorType,
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("data")] JsonElement? Data,
    [property: JsonPropertyName("dueTime")] string DueTime,
    [property: JsonPropertyName("period")] string Period,
    [property: JsonPropertyName("ttl")] string? Ttl,
    [property: JsonPropertyName("registeredTime")] DateTimeOffset RegisteredTime,
    [property: JsonPropertyName("nextFire")] DateTimeOffset NextFire,
    [property: JsonPropertyName("expirationTime")] DateTimeOffset? ExpirationTime,
    [property: JsonPropertyName("remaining")] int Remaining)
{
    [JsonIgnore]
    public ActorKey Actor => new(ActorType, ActorId);

    public bool Is(ActorKey actor, string name) => ActorType == actor.Type && ActorId == actor.Id && Name == name;

    /// <summary>The reminder after a firing at <paramref name="now"/>, or null when it is done.</summary>
    public ReminderRecord? AfterFiring(DateTimeOffset now)
    {
        if (!ActorPeriod.TryParse(Period, out var period, out _) || !period.HasRepeats || Remaining == 1)
        {
            return null;
        }

        // A reminder that could not fire for a while (sidecar down) fires once, then keeps its rhythm.
        var next = period.Following(NextFire);
        while (next <= now)
        {
            next = period.Following(next);
        }

        if (ExpirationTime is { } expires && next > expires)
        {
            return null;
        }

        return this with { NextFire = next, Remaining = Remaining > 0 ? Remaining - 1 : Remaining };
    }
}
