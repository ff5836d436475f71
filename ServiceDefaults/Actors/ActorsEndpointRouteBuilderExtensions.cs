using System.Buffers;
using System.Diagnostics;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.ServiceDefaults.Actors;

/// <summary>The app side of Dapr's actor protocol (DAPR-HTTP.md section 5): what the sidecar calls on the app.</summary>
public static class ActorsEndpointRouteBuilderExtensions
{
    /// <summary>The answer header by which a reminder asks the sidecar to delete it.</summary>
    public const string ReminderCancelHeader = "X-DaprReminderCancel";

    /// <summary>
    /// Maps <c>GET /dapr/config</c> (the hosted types and settings), <c>PUT
    /// /actors/{type}/{id}/method/{method}</c> (a call: 200 with the JSON result; 404 for an
    /// unknown type or method; 400 for a body that is not the method's argument; 500 with a
    /// problem body, no exception details, when the method throws), <c>PUT
    /// .../method/remind/{name}</c> and <c>PUT .../method/timer/{name}</c> (reminders and timers
    /// firing), and <c>DELETE /actors/{type}/{id}</c> (deactivation: 200, also when not active).
    /// <c>GET /healthz</c> comes from <c>MapDefaultEndpoints()</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException"><c>AddActors(...)</c> was not called.</exception>
    public static IEndpointConventionBuilder MapActorsHandlers(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var runtime = endpoints.ServiceProvider.GetService<ActorRuntime>()
            ?? throw new InvalidOperationException("Call builder.Services.AddActors(...) before MapActorsHandlers().");
        var config = DaprConfig(runtime.Options);
        var group = endpoints.MapGroup("");
        group.MapGet("/dapr/config", context =>
        {
            context.Response.ContentType = "application/json";
            context.Response.ContentLength = config.Length;
            return context.Response.Body.WriteAsync(config, context.RequestAborted).AsTask();
        });
        group.MapPut("/actors/{actorType}/{actorId}/method/{method}", InvokeMethodAsync);
        group.MapPut("/actors/{actorType}/{actorId}/method/remind/{name}", FireReminderAsync);
        group.MapPut("/actors/{actorType}/{actorId}/method/timer/{name}", FireTimerAsync);
        group.MapDelete("/actors/{actorType}/{actorId}", DeactivateAsync);
        return group;
    }

    /// <summary>The body of <c>GET /dapr/config</c>: durations as Go writes them, which is how daprd parses them.</summary>
    internal static byte[] DaprConfig(ActorRuntimeOptions options)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("entities");
            foreach (var registration in options.Registrations)
            {
                writer.WriteStringValue(registration.ActorType);
            }

            writer.WriteEndArray();
            writer.WriteString("actorIdleTimeout", GoDuration.Format(options.ActorIdleTimeout));
            writer.WriteString("actorScanInterval", GoDuration.Format(options.ActorScanInterval));
            writer.WriteString("drainOngoingCallTimeout", GoDuration.Format(options.DrainOngoingCallTimeout));
            writer.WriteBoolean("drainRebalancedActors", options.DrainRebalancedActors);
            writer.WriteStartObject("reentrancy");
            writer.WriteBoolean("enabled", options.Reentrancy.Enabled);
            writer.WriteNumber("maxStackDepth", options.Reentrancy.MaxStackDepth);
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static async Task InvokeMethodAsync(HttpContext context)
    {
        var call = ActorRequest.Read(context, ActorCalls.Method, "method");
        if (call.Registration is not { } registration)
        {
            await call.RefuseAsync(StatusCodes.Status404NotFound, "No such actor type", $"This app hosts no actor type '{call.ActorType}'.").ConfigureAwait(false);
            return;
        }

        if (!registration.Methods.TryGetValue(call.Name, out var method))
        {
            await call.RefuseAsync(StatusCodes.Status404NotFound, "No such actor method", $"Actor type '{call.ActorType}' has no method '{call.Name}' (names are case-sensitive).").ConfigureAwait(false);
            return;
        }

        using var activity = ActorTelemetry.Start(call.ActorType, call.ActorId, ActorCalls.Method, call.Name);
        var body = await ReadBodyAsync(context).ConfigureAwait(false);
        if (!TryReadArgument(method, body, call.Runtime.Json, out var argument, out var problem))
        {
            await call.RefuseAsync(StatusCodes.Status400BadRequest, "Bad actor method argument", problem, activity).ConfigureAwait(false);
            return;
        }

        var answer = await call.RunAsync(
            activity,
            async (actor, ct) =>
            {
                var result = await method.InvokeAsync(actor, argument, ct).ConfigureAwait(false);

                // Serialised inside the turn: a result that cannot be written fails the call before
                // anything is committed.
                return method.ResultType is { } type ? JsonSerializer.SerializeToUtf8Bytes(result, type, call.Runtime.Json) : null;
            }).ConfigureAwait(false);
        if (answer.Entered)
        {
            await WriteOkAsync(context, answer.Result).ConfigureAwait(false);
        }
    }

    private static async Task FireReminderAsync(HttpContext context)
    {
        var call = ActorRequest.Read(context, ActorCalls.Reminder, "name");
        if (call.Registration is not { IsRemindable: true })
        {
            await call.RefuseAsync(StatusCodes.Status404NotFound, "No reminder handler", $"This app hosts no actor type '{call.ActorType}' that implements IRemindable.").ConfigureAwait(false);
            return;
        }

        using var activity = ActorTelemetry.Start(call.ActorType, call.ActorId, ActorCalls.Reminder, call.Name);
        if (!TryReadCallback(await ReadBodyAsync(context).ConfigureAwait(false), out var fired))
        {
            await call.RefuseAsync(StatusCodes.Status400BadRequest, "Bad reminder body", "The body must be a JSON object {\"data\",\"dueTime\",\"period\"}.", activity).ConfigureAwait(false);
            return;
        }

        var reminder = new ActorReminder(call.Name, fired.Data, fired.DueTime, fired.Period);
        var answer = await call.RunAsync(activity, (actor, ct) => ((IRemindable)actor).ReceiveReminderAsync(reminder, ct)).ConfigureAwait(false);
        if (answer.Entered)
        {
            await call.AnswerReminderAsync(answer.Result == ReminderOutcome.Cancel).ConfigureAwait(false);
        }
    }

    private static async Task FireTimerAsync(HttpContext context)
    {
        var call = ActorRequest.Read(context, ActorCalls.Timer, "name");
        if (call.Registration is not { } registration)
        {
            await call.RefuseAsync(StatusCodes.Status404NotFound, "No such actor type", $"This app hosts no actor type '{call.ActorType}'.").ConfigureAwait(false);
            return;
        }

        var body = await ReadBodyAsync(context).ConfigureAwait(false);
        if (!TryReadCallback(body, out var fired))
        {
            await call.RefuseAsync(StatusCodes.Status400BadRequest, "Bad timer body", "The body must be a JSON object {\"callback\",\"data\",\"dueTime\",\"period\"}.").ConfigureAwait(false);
            return;
        }

        if (!registration.TimerCallbacks.TryGetValue(fired.Callback, out var callback) || callback is null)
        {
            await call.RefuseAsync(StatusCodes.Status404NotFound, "No such timer callback", $"Actor type '{call.ActorType}' has no single method '{fired.Callback}' a timer can call.").ConfigureAwait(false);
            return;
        }

        using var activity = ActorTelemetry.Start(call.ActorType, call.ActorId, ActorCalls.Timer, fired.Callback);
        var data = fired.Data is { } d ? JsonSerializer.SerializeToUtf8Bytes(d) : [];
        if (!TryReadArgument(callback, data, call.Runtime.Json, out var argument, out var problem))
        {
            await call.RefuseAsync(StatusCodes.Status400BadRequest, "Bad timer data", problem, activity).ConfigureAwait(false);
            return;
        }

        var answer = await call.RunAsync(activity, (actor, ct) => callback.InvokeAsync(actor, argument, ct)).ConfigureAwait(false);
        if (answer.Entered)
        {
            await WriteOkAsync(context, null).ConfigureAwait(false);
        }
    }

    private static async Task DeactivateAsync(HttpContext context)
    {
        var call = ActorRequest.Read(context, ActorCalls.Deactivation, null);
        if (call.Registration is not { } registration)
        {
            await call.RefuseAsync(StatusCodes.Status404NotFound, "No such actor type", $"This app hosts no actor type '{call.ActorType}'.").ConfigureAwait(false);
            return;
        }

        using var activity = ActorTelemetry.Start(call.ActorType, call.ActorId, ActorCalls.Deactivation, "");
        try
        {
            await call.Runtime.DeactivateAsync(registration, call.ActorId, context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (!context.RequestAborted.IsCancellationRequested)
        {
            // Logged by the runtime; the instance is gone either way.
            await call.FailAsync(activity, e, logged: true).ConfigureAwait(false);
            return;
        }

        await WriteOkAsync(context, null).ConfigureAwait(false);
    }

    /// <summary>
    /// Reads the call's argument from <paramref name="body"/>: nothing for a method without one;
    /// an empty body or JSON null only where the parameter accepts null.
    /// </summary>
    internal static bool TryReadArgument(ActorMethod method, ReadOnlySpan<byte> body, JsonSerializerOptions json, out object? argument, out string problem)
    {
        argument = null;
        problem = "";
        if (method.ParameterType is not { } type)
        {
            return true;
        }

        if (!body.IsEmpty)
        {
            try
            {
                argument = JsonSerializer.Deserialize(body, type, json);
            }
            catch (JsonException)
            {
                problem = $"The body is not a JSON {type.Name}.";
                return false;
            }
        }

        if (argument is null && !method.ParameterAcceptsNull)
        {
            problem = $"The method needs a {type.Name} in the body.";
            return false;
        }

        return true;
    }

    /// <summary>Reads a reminder or timer body; false when it is not a JSON object.</summary>
    internal static bool TryReadCallback(byte[] body, out FiredCallback fired)
    {
        fired = new FiredCallback("", null, "", "");
        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            fired = new FiredCallback(
                Text(root, "callback"),
                root.TryGetProperty("data", out var data) && data.ValueKind != JsonValueKind.Null ? data.Clone() : null,
                Text(root, "dueTime"),
                Text(root, "period"));
            return true;
        }
        catch (JsonException)
        {
            return false;
        }

        static string Text(JsonElement root, string name) =>
            root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()! : "";
    }

    private static async Task<byte[]> ReadBodyAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
        return buffer.ToArray();
    }

    /// <summary>Exactly 200: daprd treats any other success status as a failed call.</summary>
    private static Task WriteOkAsync(HttpContext context, byte[]? body)
    {
        context.Response.StatusCode = StatusCodes.Status200OK;
        if (body is null)
        {
            context.Response.ContentLength = 0;
            return Task.CompletedTask;
        }

        context.Response.ContentType = "application/json";
        context.Response.ContentLength = body.Length;
        return context.Response.Body.WriteAsync(body, context.RequestAborted).AsTask();
    }

    /// <summary>A reminder or timer body: the callback (timers only), the registered data, due time and period.</summary>
    internal readonly record struct FiredCallback(string Callback, JsonElement? Data, string DueTime, string Period);

    /// <summary>One call from the sidecar: its route values, the runtime, and how to answer it.</summary>
    private readonly record struct ActorRequest(HttpContext Context, ActorRuntime Runtime, ActorRegistration? Registration, string ActorType, string ActorId, string Call, string Name)
    {
        public static ActorRequest Read(HttpContext context, string call, string? nameValue)
        {
            var runtime = context.RequestServices.GetRequiredService<ActorRuntime>();
            var values = context.Request.RouteValues;
            var actorType = values["actorType"] as string ?? "";
            runtime.Registrations.TryGetValue(actorType, out var registration);
            return new ActorRequest(
                context,
                runtime,
                registration,
                actorType,
                values["actorId"] as string ?? "",
                call,
                nameValue is null ? "" : values[nameValue] as string ?? "");
        }

        /// <summary>Runs <paramref name="work"/> in the actor's turn; on failure answers the problem itself and returns not entered.</summary>
        public async Task<TurnOutcome<T>> RunAsync<T>(Activity? activity, Func<Actor, CancellationToken, Task<T>> work)
        {
            var context = Context;
            TurnOutcome<T> outcome;
            try
            {
                outcome = await Runtime.RunTurnAsync(Registration!, ActorId, context.Request.Headers[ActorSidecarApi.ReentrancyHeader].FirstOrDefault(), work, context.RequestAborted).ConfigureAwait(false);
            }
            catch (Exception e) when (!context.RequestAborted.IsCancellationRequested)
            {
                await FailAsync(activity, e, logged: false).ConfigureAwait(false);
                return default;
            }

            if (!outcome.Entered)
            {
                await RefuseAsync(StatusCodes.Status500InternalServerError, "Actor reentrancy too deep", $"The call chain re-entered actor '{ActorType}' more than {Runtime.Options.Reentrancy.MaxStackDepth} times.", activity).ConfigureAwait(false);
            }

            return outcome;
        }

        /// <summary>200, with <c>X-DaprReminderCancel: true</c> when the actor asks to stop the reminder.</summary>
        public Task AnswerReminderAsync(bool cancel)
        {
            if (cancel)
            {
                ActorLog.Cancelling(Runtime.Logger, ActorType, ActorId, Call, Name);
                Context.Response.Headers[ReminderCancelHeader] = "true";
            }

            return WriteOkAsync(Context, null);
        }

        public Task RefuseAsync(int statusCode, string title, string detail, Activity? activity = null)
        {
            ActorLog.CallRefused(Runtime.Logger, statusCode, title, ActorType, Call, Name);
            ActorTelemetry.Failed(activity, statusCode, title);
            return Problem(statusCode, title, detail);
        }

        /// <summary>
        /// 500 with a problem body that names no exception detail: daprd copies the body into the
        /// caller's <c>ERR_ACTOR_INVOKE_METHOD</c> message, and exception messages may hold data.
        /// </summary>
        public Task FailAsync(Activity? activity, Exception exception, bool logged)
        {
            if (!logged)
            {
                ActorLog.CallFailed(Runtime.Logger, ActorType, ActorId, Call, Name, exception);
            }

            activity?.AddException(exception);
            ActorTelemetry.Failed(activity, StatusCodes.Status500InternalServerError, exception.GetType().Name);
            return Problem(StatusCodes.Status500InternalServerError, "Actor call failed", $"The actor's {Call} failed; its state changes were not saved. The app's logs have the details.");
        }

        private Task Problem(int statusCode, string title, string detail) =>
            Results.Problem(
                detail: detail,
                statusCode: statusCode,
                title: title,
                type: statusCode switch
                {
                    StatusCodes.Status404NotFound => ProblemTypes.NotFound,
                    StatusCodes.Status400BadRequest => ProblemTypes.BadRequest,
                    _ => ProblemTypes.Internal,
                }).ExecuteAsync(Context);
    }
}
