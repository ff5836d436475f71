using System.Text.Json;
using Gateway.LocalSidecar.Api;
using Gateway.LocalSidecar.Hosting;
using Gateway.LocalSidecar.Invocation;
using Gateway.LocalSidecar.State;

namespace Gateway.LocalSidecar.Actors;

/// <summary>The actor API of DAPR-HTTP.md section 4, answering as daprd does.</summary>
internal static class ActorApi
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static IEndpointRouteBuilder MapActorApi(this IEndpointRouteBuilder routes)
    {
        var actor = routes.MapGroup("/v1.0/actors/{actorType}/{actorId}");
        actor.MapMethods("/method/{**method}", [HttpMethods.Put, HttpMethods.Post], InvokeAsync);
        actor.MapMethods("/state", [HttpMethods.Put, HttpMethods.Post], TransactStateAsync);
        actor.MapGet("/state/{key}", GetStateAsync);
        actor.MapMethods("/reminders/{name}", [HttpMethods.Put, HttpMethods.Post], CreateReminderAsync);
        actor.MapGet("/reminders/{name}", GetReminderAsync);
        actor.MapDelete("/reminders/{name}", DeleteReminderAsync);
        actor.MapMethods("/timers/{name}", [HttpMethods.Put, HttpMethods.Post], CreateTimerAsync);
        actor.MapDelete("/timers/{name}", DeleteTimer);
        return routes;
    }

    /// <summary>An actor call another sidecar routed here: this sidecar's app hosts the actor.</summary>
    public static async Task DeliverFromSidecarAsync(HttpContext context, HostedActors hosted)
    {
        var segments = (context.Request.Path.Value ?? "").Split('/', 6);
        if (segments.Length < 6 || segments[1] != "actors" || segments[4] != "method")
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            return;
        }

        var key = new ActorKey(Uri.UnescapeDataString(segments[2]), Uri.UnescapeDataString(segments[3]));
        var result = await CallLocalAsync(context, hosted, key, segments[5]).ConfigureAwait(false);
        await result.WriteAsync(context).ConfigureAwait(false);
    }

    private static async Task InvokeAsync(HttpContext context, string actorType, string actorId, string method, HostedActors hosted, ActorPlacement placement, SidecarRegistry registry, ActorForwarder forwarder)
    {
        var key = new ActorKey(actorType, actorId);
        if (!await RuntimeReadyAsync(context, hosted).ConfigureAwait(false))
        {
            return;
        }

        var host = placement.Locate(key);
        if (host is null)
        {
            await new DaprError(500, "ERR_ACTOR_INVOKE_METHOD", $"error invoke actor method: did not find address for actor {key}").WriteAsync(context).ConfigureAwait(false);
            return;
        }

        ActorCallResult result;
        if (host.Pid == Environment.ProcessId && hosted.Hosts(actorType))
        {
            result = await CallLocalAsync(context, hosted, key, method).ConfigureAwait(false);
        }
        else
        {
            result = await forwarder.ForwardAsync(context, host, key, method).ConfigureAwait(false);
            if (result.StatusCode == 0)
            {
                registry.InvalidateAll();
                result = ActorCallResult.FromError(new DaprError(500, "ERR_ACTOR_INVOKE_METHOD", $"error invoke actor method: host of actor {key} is unreachable"));
            }
        }

        await result.WriteAsync(context).ConfigureAwait(false);
    }

    private static async Task<ActorCallResult> CallLocalAsync(HttpContext context, HostedActors hosted, ActorKey key, string method)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
        var headers = context.Request.Headers.SelectMany(h => h.Value.Select(v => new KeyValuePair<string, string>(h.Key, v ?? ""))).ToList();
        var reentrancyId = context.Request.Headers["Dapr-Reentrancy-Id"].ToString();
        return await hosted.InvokeAsync(key, method, buffer.ToArray(), context.Request.ContentType, headers, reentrancyId.Length == 0 ? null : reentrancyId, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task TransactStateAsync(HttpContext context, string actorType, string actorId, StateStoreCatalog stores, ActorPlacement placement, HostedActors hosted, SidecarOptions options)
    {
        if (await CheckHostedAsync(context, stores, placement, hosted, new ActorKey(actorType, actorId)).ConfigureAwait(false) is not { } store)
        {
            return;
        }

        var operations = new List<StateOperation>();
        try
        {
            using var body = await JsonDocument.ParseAsync(context.Request.Body, StateRequests.DocumentOptions, context.RequestAborted).ConfigureAwait(false);
            if (body.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new JsonException("json: cannot unmarshal object into Go value of type []api.TransactionalOperation");
            }

            foreach (var operation in body.RootElement.EnumerateArray())
            {
                var kind = operation.TryGetProperty("operation", out var k) && k.ValueKind == JsonValueKind.String ? k.GetString() : null;
                var request = operation.TryGetProperty("request", out var r) && r.ValueKind == JsonValueKind.Object ? r : default;
                var stateKey = request.ValueKind == JsonValueKind.Object && request.TryGetProperty("key", out var kk) && kk.ValueKind == JsonValueKind.String ? kk.GetString()! : "";
                var storedKey = ActorStateKey(options.AppId, actorType, actorId, stateKey);
                if (kind is "upsert" or "delete" && RefusedOperation(kind, stateKey, request) is { } refused)
                {
                    await new DaprError(500, "ERR_ACTOR_STATE_TRANSACTION_SAVE", $"error saving actor transaction state: {refused}").WriteAsync(context).ConfigureAwait(false);
                    return;
                }

                switch (kind)
                {
                    case "upsert":
                        var value = request.TryGetProperty("value", out var v) ? GoJson.Encode(v) : "null"u8.ToArray();
                        operations.Add(new SetOperation(storedKey, value, null, Concurrency.LastWrite, null));
                        break;
                    case "delete":
                        operations.Add(new DeleteOperation(storedKey, null, Concurrency.LastWrite));
                        break;
                    default:
                        await new DaprError(400, "ERR_NOT_SUPPORTED_STATE_OPERATION", $"operation type {kind} not supported").WriteAsync(context).ConfigureAwait(false);
                        return;
                }
            }
        }
        catch (JsonException e)
        {
            await DaprError.MalformedRequest(e).WriteAsync(context).ConfigureAwait(false);
            return;
        }

        try
        {
            if (operations.Count > 0)
            {
                var result = await store.Store.TransactAsync(operations, context.RequestAborted).ConfigureAwait(false);
                if (result != StoreResult.Ok)
                {
                    throw new InvalidOperationException("possible etag mismatch. error from state store");
                }
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await new DaprError(500, "ERR_ACTOR_STATE_TRANSACTION_SAVE", $"error saving actor transaction state: {e.Message}").WriteAsync(context).ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private static async Task GetStateAsync(HttpContext context, string actorType, string actorId, string key, StateStoreCatalog stores, SidecarOptions options)
    {
        // Unlike writes, daprd reads actor state without checking that the actor is active here.
        if (stores.ActorStateStore is not { } store)
        {
            await RuntimeNotFound().WriteAsync(context).ConfigureAwait(false);
            return;
        }

        StateItem? item;
        try
        {
            item = await store.Store.GetAsync(ActorStateKey(options.AppId, actorType, actorId, key), context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await new DaprError(500, "ERR_ACTOR_STATE_GET", $"error getting actor state: {e.Message}").WriteAsync(context).ConfigureAwait(false);
            return;
        }

        if (item is null || item.Value.Length == 0)
        {
            context.Response.StatusCode = StatusCodes.Status204NoContent;
            return;
        }

        // Unlike the state API, actor state carries no ETag: the actor's turn already serialises writers.
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(item.Value, context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task CreateReminderAsync(HttpContext context, string actorType, string actorId, string name, HostedActors hosted, ActorReminders reminders, StateStoreCatalog stores)
    {
        if (await CheckRemindersAsync(context, hosted, stores, actorType).ConfigureAwait(false))
        {
            return;
        }

        ReminderRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync<ReminderRequest>(context.Request.Body, Json, context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            await DaprError.MalformedRequest(e).WriteAsync(context).ConfigureAwait(false);
            return;
        }

        var error = await reminders.CreateAsync(new ActorKey(actorType, actorId), name, request ?? new ReminderRequest(null, null, null, null), context.RequestAborted).ConfigureAwait(false);
        if (error is not null)
        {
            await new DaprError(500, "ERR_ACTOR_REMINDER_CREATE", $"error creating actor reminder: {error}").WriteAsync(context).ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private static async Task GetReminderAsync(HttpContext context, string actorType, string actorId, string name, HostedActors hosted, ActorReminders reminders, StateStoreCatalog stores)
    {
        if (await CheckRemindersAsync(context, hosted, stores, actorType).ConfigureAwait(false))
        {
            return;
        }

        var reminder = await reminders.GetAsync(new ActorKey(actorType, actorId), name, context.RequestAborted).ConfigureAwait(false);
        if (reminder is null)
        {
            await new DaprError(404, "ERR_ACTOR_REMINDER_NOT_FOUND", $"actor reminder not found: {name}").WriteAsync(context).ConfigureAwait(false);
            return;
        }

        using var buffer = new MemoryStream();
        await using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartObject();
            json.WriteString("actorID", reminder.ActorId);
            json.WriteString("actorType", reminder.ActorType);
            if (reminder.Data is { } data)
            {
                json.WritePropertyName("data");
                data.WriteTo(json);
            }

            WriteIfSet(json, "dueTime", reminder.DueTime);
            WriteIfSet(json, "period", reminder.Period);
            WriteIfSet(json, "ttl", reminder.Ttl);
            json.WriteEndObject();
        }

        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(buffer.ToArray(), context.RequestAborted).ConfigureAwait(false);
    }

    private static async Task DeleteReminderAsync(HttpContext context, string actorType, string actorId, string name, HostedActors hosted, ActorReminders reminders, StateStoreCatalog stores)
    {
        if (await CheckRemindersAsync(context, hosted, stores, actorType).ConfigureAwait(false))
        {
            return;
        }

        await reminders.DeleteAsync(new ActorKey(actorType, actorId), name, context.RequestAborted).ConfigureAwait(false);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private static async Task CreateTimerAsync(HttpContext context, string actorType, string actorId, string name, HostedActors hosted, ActorTimers timers, ActorPlacement placement)
    {
        if (!await RuntimeReadyAsync(context, hosted).ConfigureAwait(false))
        {
            return;
        }

        var key = new ActorKey(actorType, actorId);
        if (!placement.IsLocal(key))
        {
            await new DaprError(500, "ERR_ACTOR_TIMER_CREATE", $"error creating actor timer: actor {key} is not hosted by this sidecar").WriteAsync(context).ConfigureAwait(false);
            return;
        }

        TimerRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync<TimerRequest>(context.Request.Body, Json, context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException e)
        {
            await DaprError.MalformedRequest(e).WriteAsync(context).ConfigureAwait(false);
            return;
        }

        if (timers.Create(key, name, request ?? new TimerRequest(null, null, null, null, null)) is { } error)
        {
            await new DaprError(500, "ERR_ACTOR_TIMER_CREATE", $"error creating actor timer: {error}").WriteAsync(context).ConfigureAwait(false);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    private static void DeleteTimer(HttpContext context, string actorType, string actorId, string name, ActorTimers timers)
    {
        timers.Delete(new ActorKey(actorType, actorId), name);
        context.Response.StatusCode = StatusCodes.Status204NoContent;
    }

    /// <summary>
    /// Why daprd refuses an operation of an actor state transaction, or null: a missing key, or a
    /// TTL, which daprd accepts only with its preview feature <c>ActorStateTTL</c> switched on in
    /// a Configuration (LocalSidecar reads none). Without this, an SDK actor's
    /// <c>SetStateAsync(name, value, ttl)</c> would pass here and fail against daprd.
    /// </summary>
    private static string? RefusedOperation(string kind, string key, JsonElement request)
    {
        if (key.Length == 0)
        {
            return "missing key";
        }

        var hasTtl = kind == "upsert"
            && request.TryGetProperty("metadata", out var metadata)
            && metadata.ValueKind == JsonValueKind.Object
            && metadata.EnumerateObject().Any(m => m.NameEquals("ttlInSeconds"));
        return hasTtl ? "ttlInSeconds is not supported without the \"ActorStateTTL\" feature enabled" : null;
    }

    /// <summary>Actor state lives under <c>{appId}||{type}||{id}||{key}</c>, whatever the store's keyPrefix.</summary>
    public static string ActorStateKey(string appId, string actorType, string actorId, string key) =>
        $"{appId}||{actorType}||{actorId}||{key}";

    // The state API serves only actors active in this sidecar's table: hosted here and called at
    // least once since their last deactivation (daprd: "actor instance is missing").
    private static async Task<StateStoreComponent?> CheckHostedAsync(HttpContext context, StateStoreCatalog stores, ActorPlacement placement, HostedActors hosted, ActorKey key)
    {
        if (stores.ActorStateStore is not { } store)
        {
            await RuntimeNotFound().WriteAsync(context).ConfigureAwait(false);
            return null;
        }

        if (!hosted.IsActive(key) || !placement.IsLocal(key))
        {
            await new DaprError(400, "ERR_ACTOR_INSTANCE_MISSING", "actor instance is missing").WriteAsync(context).ConfigureAwait(false);
            return null;
        }

        return store;
    }

    /// <summary>Writes the error and returns true when reminders cannot be used here.</summary>
    private static async Task<bool> CheckRemindersAsync(HttpContext context, HostedActors hosted, StateStoreCatalog stores, string actorType)
    {
        if (!await RuntimeReadyAsync(context, hosted).ConfigureAwait(false))
        {
            return true;
        }

        if (stores.ActorStateStore is null)
        {
            await RuntimeNotFound().WriteAsync(context).ConfigureAwait(false);
            return true;
        }

        if (!hosted.Hosts(actorType))
        {
            await new DaprError(403, "ERR_ACTOR_REMINDER_NON_HOSTED", "operations on actor reminders are only possible on hosted actor types").WriteAsync(context).ConfigureAwait(false);
            return true;
        }

        return false;
    }

    /// <summary>
    /// Waits until the app's actor configuration is known (it is read once the app listens);
    /// writes daprd's "not ready" error and returns false when that takes too long.
    /// </summary>
    private static async Task<bool> RuntimeReadyAsync(HttpContext context, HostedActors hosted)
    {
        try
        {
            await hosted.Configured.WaitAsync(TimeSpan.FromSeconds(30), context.RequestAborted).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            await new DaprError(503, "ERR_ACTOR_RUNTIME_CLOSED", "actor runtime is not ready: the app has not started listening").WriteAsync(context).ConfigureAwait(false);
            return false;
        }
    }

    private static DaprError RuntimeNotFound() => new(
        500,
        "ERR_ACTOR_RUNTIME_NOT_FOUND",
        "the state store is not configured to use the actor runtime. Have you set the - name: actorStateStore value: \"true\" in your state store component file?");

    private static void WriteIfSet(Utf8JsonWriter json, string name, string? value)
    {
        if (!string.IsNullOrEmpty(value))
        {
            json.WriteString(name, value);
        }
    }
}
