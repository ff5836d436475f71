using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Gateway.ServiceDefaults.Dapr;

namespace Gateway.ServiceDefaults.Actors;

/// <summary>
/// The sidecar's actor API (DAPR-HTTP.md section 4) over the Dapr client's shared
/// <see cref="DaprSidecarChannel"/>: its connection pool, API token, retries and telemetry. Every
/// failure other than the caller's cancellation becomes a <see cref="DaprApiException"/>.
/// </summary>
internal sealed class ActorSidecarApi(DaprSidecarChannel channel)
{
    /// <summary>The header that lets a call chain re-enter an actor it holds.</summary>
    public const string ReentrancyHeader = "Dapr-Reentrancy-Id";

    private const string ActorTypeTag = "dapr.actor_type";

    public JsonSerializerOptions Json => channel.Json;

    /// <summary><c>GET /v1.0/actors/{type}/{id}/state/{key}</c>: the stored JSON, or null when the key does not exist (204).</summary>
    public async Task<byte[]?> GetStateAsync(string actorType, string actorId, string key, CancellationToken cancellationToken)
    {
        var uri = channel.CreateUri($"{Actor(actorType, actorId)}/state/{Segment(key)}");
        using var call = channel.Telemetry.Start(Operations.GetState, ActorTypeTag, actorType);
        using var response = await SendAsync(call, actorType, SidecarCallPolicy.RetriedBounded, () => new HttpRequestMessage(HttpMethod.Get, uri), SidecarError.IsTransientStateFailure, cancellationToken).ConfigureAwait(false);
        call.Complete(DaprCallOutcome.Ok, response.StatusCode);
        return response.StatusCode == HttpStatusCode.NoContent
            ? null
            : await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <c>POST /v1.0/actors/{type}/{id}/state</c> with the bare array of operations (upsert when a
    /// value is given, delete when it is null), applied atomically. Sent once: a transaction is not
    /// repeated blindly.
    /// </summary>
    public async Task ExecuteStateTransactionAsync(string actorType, string actorId, IReadOnlyList<KeyValuePair<string, byte[]?>> operations, CancellationToken cancellationToken)
    {
        var body = ActorRequestBody.StateTransaction(operations);
        var uri = channel.CreateUri($"{Actor(actorType, actorId)}/state");
        using var call = channel.Telemetry.Start(Operations.StateTransaction, ActorTypeTag, actorType);
        using var response = await SendAsync(call, actorType, SidecarCallPolicy.OnceBounded, () => Post(uri, body), NeverTransient, cancellationToken).ConfigureAwait(false);
        call.Complete(DaprCallOutcome.Written, response.StatusCode);
    }

    /// <summary><c>POST /v1.0/actors/{type}/{id}/reminders/{name}</c>: creates or replaces the reminder, so it is safe to repeat.</summary>
    public Task RegisterReminderAsync(string actorType, string actorId, string name, ReadOnlyMemory<byte> body, CancellationToken cancellationToken) =>
        SendSimpleAsync(Operations.RegisterReminder, actorType, HttpMethod.Post, $"{Actor(actorType, actorId)}/reminders/{Segment(name)}", body, cancellationToken);

    /// <summary><c>DELETE /v1.0/actors/{type}/{id}/reminders/{name}</c>.</summary>
    public Task UnregisterReminderAsync(string actorType, string actorId, string name, CancellationToken cancellationToken) =>
        SendSimpleAsync(Operations.UnregisterReminder, actorType, HttpMethod.Delete, $"{Actor(actorType, actorId)}/reminders/{Segment(name)}", null, cancellationToken);

    /// <summary><c>POST /v1.0/actors/{type}/{id}/timers/{name}</c>: creates or replaces the timer.</summary>
    public Task RegisterTimerAsync(string actorType, string actorId, string name, ReadOnlyMemory<byte> body, CancellationToken cancellationToken) =>
        SendSimpleAsync(Operations.RegisterTimer, actorType, HttpMethod.Post, $"{Actor(actorType, actorId)}/timers/{Segment(name)}", body, cancellationToken);

    /// <summary><c>DELETE /v1.0/actors/{type}/{id}/timers/{name}</c>.</summary>
    public Task UnregisterTimerAsync(string actorType, string actorId, string name, CancellationToken cancellationToken) =>
        SendSimpleAsync(Operations.UnregisterTimer, actorType, HttpMethod.Delete, $"{Actor(actorType, actorId)}/timers/{Segment(name)}", null, cancellationToken);

    /// <summary>
    /// <c>PUT /v1.0/actors/{type}/{id}/method/{method}</c> with an optional JSON body, sent once
    /// (the actor may have acted on it) and bounded only by the caller. Returns the answer's body,
    /// empty when it had none.
    /// </summary>
    /// <exception cref="DaprApiException">The answer was not a success (for a failed actor method: 500 <c>ERR_ACTOR_INVOKE_METHOD</c>), or none came.</exception>
    public async Task<byte[]> InvokeAsync(string actorType, string actorId, string method, ReadOnlyMemory<byte>? body, string? reentrancyId, CancellationToken cancellationToken)
    {
        var uri = channel.CreateUri($"{Actor(actorType, actorId)}/method/{Segment(method)}");
        using var call = channel.Telemetry.Start(Operations.Invoke, ActorTypeTag, actorType, HttpMethod.Put);
        using var response = await SendAsync(
            call,
            actorType,
            SidecarCallPolicy.Once,
            () =>
            {
                var request = new HttpRequestMessage(HttpMethod.Put, uri) { Content = body is { } b ? BodyContent(b) : null };
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
                if (reentrancyId is not null)
                {
                    request.Headers.TryAddWithoutValidation(ReentrancyHeader, reentrancyId);
                }

                return request;
            },
            NeverTransient,
            cancellationToken,
            keepPlainText: false).ConfigureAwait(false);
        var answer = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        call.Complete(DaprCallOutcome.Ok, response.StatusCode);
        return answer;
    }

    private async Task SendSimpleAsync(string operation, string actorType, HttpMethod method, string path, ReadOnlyMemory<byte>? body, CancellationToken cancellationToken)
    {
        var uri = channel.CreateUri(path);
        using var call = channel.Telemetry.Start(operation, ActorTypeTag, actorType, method);
        using var response = await SendAsync(
            call,
            actorType,
            SidecarCallPolicy.RetriedBounded,
            () => new HttpRequestMessage(method, uri) { Content = body is { } b ? BodyContent(b) : null },
            IsUnavailable,
            cancellationToken).ConfigureAwait(false);
        call.Complete(DaprCallOutcome.Ok, response.StatusCode);
    }

    /// <summary>Sends a call that must succeed; an error answer or no answer becomes a <see cref="DaprApiException"/>.</summary>
    private async Task<HttpResponseMessage> SendAsync(
        DaprCall call,
        string actorType,
        SidecarCallPolicy policy,
        Func<HttpRequestMessage> createRequest,
        Func<HttpResponseMessage, CancellationToken, ValueTask<bool>> isTransient,
        CancellationToken cancellationToken,
        bool keepPlainText = true)
    {
        HttpResponseMessage response;
        try
        {
            response = await channel.SendAsync(call, policy, createRequest, isTransient, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (DaprSidecarChannel.IsNoAnswer(e))
        {
            call.Complete(DaprCallOutcome.TransportError);
            DaprClientLog.NoAnswer(channel.Logger, call.Operation, actorType, call.Attempts, e.Message);
            throw new DaprApiException($"Dapr {call.Operation} on actor type '{actorType}' got no answer after {call.Attempts} attempt(s): {e.Message}", null, null, e);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            call.Complete(DaprCallOutcome.Canceled);
            throw;
        }

        if (response.IsSuccessStatusCode)
        {
            return response;
        }

        using (response)
        {
            // An actor's own error answer may carry its data: only the sidecar's Dapr error travels on.
            var error = await SidecarError.ReadAsync(response, keepPlainText, cancellationToken).ConfigureAwait(false);
            call.Complete(DaprCallOutcome.SidecarError, error.StatusCode, error.ErrorCode);
            DaprClientLog.CallFailed(channel.Logger, call.Operation, actorType, (int)error.StatusCode, error.ErrorCode);
            throw error.ToException($"Dapr {call.Operation} on actor type '{actorType}'");
        }
    }

    private static HttpRequestMessage Post(Uri uri, ReadOnlyMemory<byte> body) => new(HttpMethod.Post, uri) { Content = BodyContent(body) };

    private static ByteArrayContent BodyContent(ReadOnlyMemory<byte> body)
    {
        var content = new ByteArrayContent(body.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
    }

    private static string Actor(string actorType, string actorId) => $"v1.0/actors/{Segment(actorType)}/{Segment(actorId)}";

    private static string Segment(string value) => Uri.EscapeDataString(value);

    private static ValueTask<bool> NeverTransient(HttpResponseMessage response, CancellationToken cancellationToken) => ValueTask.FromResult(false);

    /// <summary>A proxy or the sidecar itself could not take the call; a Dapr 500 is an answer about the request.</summary>
    private static ValueTask<bool> IsUnavailable(HttpResponseMessage response, CancellationToken cancellationToken) =>
        ValueTask.FromResult(response.StatusCode is HttpStatusCode.BadGateway or HttpStatusCode.ServiceUnavailable or HttpStatusCode.GatewayTimeout);

    private static class Operations
    {
        public const string GetState = "actor.state.get";
        public const string StateTransaction = "actor.state.transaction";
        public const string RegisterReminder = "actor.reminder.register";
        public const string UnregisterReminder = "actor.reminder.unregister";
        public const string RegisterTimer = "actor.timer.register";
        public const string UnregisterTimer = "actor.timer.unregister";
        public const string Invoke = "actor.invoke";
    }
}
