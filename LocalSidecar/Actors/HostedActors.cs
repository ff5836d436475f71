using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Gateway.LocalSidecar.Api;

namespace Gateway.LocalSidecar.Actors;

/// <summary>
/// The actors this sidecar's app hosts: their configuration (from <c>/dapr/config</c>), their
/// turns, activation and idle deactivation, and the calls into the app (DAPR-HTTP.md section 5).
/// </summary>
internal sealed partial class HostedActors(AppChannel app, ActorTurns turns, TimeProvider time, ILogger<HostedActors> logger)
{
    private readonly ConcurrentDictionary<ActorKey, byte> _active = new();
    private readonly TaskCompletionSource _configured = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ActorRuntimeConfig Config { get; private set; } = ActorRuntimeConfig.None;

    /// <summary>True once the app's actor configuration was read (or found absent).</summary>
    public bool IsConfigured => _configured.Task.IsCompleted;

    public Task Configured => _configured.Task;

    public bool Hosts(string actorType) => Config.Entities.Contains(actorType, StringComparer.Ordinal);

    /// <summary>Every hosted type with its number of active actors, zero included (as daprd lists them).</summary>
    public IReadOnlyDictionary<string, int> ActiveCounts() =>
        Config.Entities.ToDictionary(type => type, type => _active.Keys.Count(k => k.Type == type), StringComparer.Ordinal);

    /// <summary>Raised when an actor is deactivated, so its timers stop.</summary>
    public event Action<ActorKey>? Deactivated;

    /// <summary>Asks the app which actor types it hosts; a non-200 answer means none.</summary>
    public async Task ConfigureAsync(CancellationToken cancellationToken)
    {
        try
        {
            if (!app.HasApp)
            {
                return;
            }

            for (var attempt = 1; ; attempt++)
            {
                try
                {
                    var response = await app.SendAsync(HttpMethod.Get, "dapr/config", null, null, [], null, cancellationToken).ConfigureAwait(false);
                    if (response.StatusCode == StatusCodes.Status200OK)
                    {
                        using var document = JsonDocument.Parse(response.Body);
                        Config = ActorRuntimeConfig.Parse(document.RootElement);
                    }

                    LogConfigured(logger, Config.Entities.Count == 0 ? "(none)" : string.Join(", ", Config.Entities), Config.IdleTimeout, Config.ReentrancyEnabled);
                    return;
                }
                catch (Exception e) when (e is HttpRequestException or JsonException && attempt < 20)
                {
                    await Task.Delay(TimeSpan.FromMilliseconds(100), time, cancellationToken).ConfigureAwait(false);
                }
            }
        }
        catch (Exception e) when (e is HttpRequestException or JsonException)
        {
            LogConfigFailed(logger, e.Message);
        }
        finally
        {
            _configured.TrySetResult();
        }
    }

    /// <summary>Calls an actor method in the actor's turn and maps the app's answer as daprd does.</summary>
    public async Task<ActorCallResult> InvokeAsync(
        ActorKey key,
        string method,
        byte[] body,
        string? contentType,
        IEnumerable<KeyValuePair<string, string>> headers,
        string? reentrancyId,
        CancellationToken cancellationToken)
    {
        if (!Hosts(key.Type))
        {
            return ActorCallResult.FromError(InvokeError($"did not find address for actor {key}"));
        }

        // With reentrancy on, a call without a chain starts one; the app passes it on to nested calls.
        var chain = Config.For(key.Type).ReentrancyEnabled ? reentrancyId ?? Guid.NewGuid().ToString() : null;
        return await CallInTurnAsync(key, method, body, contentType, headers, chain, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Delivers a reminder or timer callback in the actor's turn. daprd sends callbacks without a
    /// reentrancy id, so a callback whose calls come back to its own actor waits like any caller.
    /// </summary>
    public Task<ActorCallResult> FireAsync(ActorKey key, string method, object payload, CancellationToken cancellationToken) =>
        CallInTurnAsync(key, method, JsonSerializer.SerializeToUtf8Bytes(payload, DaprError.GoJsonOptions), "application/json", [], null, cancellationToken);

    /// <summary>True while the actor is in this sidecar's table of active actors (daprd's <c>ActorExists</c>).</summary>
    public bool IsActive(ActorKey key) => _active.ContainsKey(key);

    private async Task<ActorCallResult> CallInTurnAsync(
        ActorKey key,
        string method,
        byte[] body,
        string? contentType,
        IEnumerable<KeyValuePair<string, string>> headers,
        string? chain,
        CancellationToken cancellationToken)
    {
        ActorTurns.Turn turn;
        try
        {
            turn = await turns.EnterAsync(key, chain, Config.For(key.Type).MaxStackDepth, cancellationToken).ConfigureAwait(false);
        }
        catch (ActorStackDepthException e)
        {
            return ActorCallResult.FromError(new DaprError(500, "ERR_ACTOR_STACK_DEPTH", e.Message));
        }

        using (turn)
        {
            _active.TryAdd(key, 0);
            return await CallAppAsync(key, method, body, contentType, headers, chain, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<ActorCallResult> CallAppAsync(
        ActorKey key,
        string method,
        byte[] body,
        string? contentType,
        IEnumerable<KeyValuePair<string, string>> headers,
        string? reentrancyId,
        CancellationToken cancellationToken)
    {
        var path = $"actors/{Uri.EscapeDataString(key.Type)}/{Uri.EscapeDataString(key.Id)}/method/{method}";
        AppResponse response;
        try
        {
            response = await app.SendAsync(HttpMethod.Put, path, body, contentType, headers, reentrancyId, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            return ActorCallResult.FromError(InvokeError(e.Message));
        }

        if (response.StatusCode == StatusCodes.Status404NotFound)
        {
            return ActorCallResult.FromError(InvokeError($"actor method not found: {path}"));
        }

        if (response.StatusCode != StatusCodes.Status200OK)
        {
            return ActorCallResult.FromError(InvokeError($"error from actor service: ({response.StatusCode}) {Encoding.UTF8.GetString(response.Body)}"));
        }

        var cancel = string.Equals(response.Header("X-DaprReminderCancel"), "true", StringComparison.OrdinalIgnoreCase);
        return new ActorCallResult(response.StatusCode, response.Headers, response.ContentType, response.Body, cancel);
    }

    /// <summary>Deactivates actors idle for longer than the idle timeout of their type.</summary>
    public async Task DeactivateIdleAsync(CancellationToken cancellationToken)
    {
        foreach (var key in turns.Idle(key => Config.For(key.Type).IdleTimeout))
        {
            if (turns.TryEnterIdle(key) is not { } turn)
            {
                continue;
            }

            using (turn)
            {
                await DeactivateInTurnAsync(key, turn, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Deactivates every active actor (the sidecar is stopping or rebalancing).</summary>
    public async Task DeactivateAllAsync(CancellationToken cancellationToken)
    {
        foreach (var key in _active.Keys)
        {
            using var turn = await turns.EnterAsync(key, null, Config.For(key.Type).MaxStackDepth, cancellationToken).ConfigureAwait(false);
            await DeactivateInTurnAsync(key, turn, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task DeactivateInTurnAsync(ActorKey key, ActorTurns.Turn turn, CancellationToken cancellationToken)
    {
        // daprd drops the actor from its table before telling the app, so state written during
        // OnDeactivateAsync is refused (instance missing) rather than silently kept.
        _active.TryRemove(key, out _);
        try
        {
            var response = await app.SendAsync(HttpMethod.Delete, $"actors/{Uri.EscapeDataString(key.Type)}/{Uri.EscapeDataString(key.Id)}", null, null, [], null, cancellationToken).ConfigureAwait(false);
            if (response.StatusCode != StatusCodes.Status200OK)
            {
                LogDeactivationFailed(logger, key, $"status {response.StatusCode}");
            }
        }
        catch (HttpRequestException e)
        {
            LogDeactivationFailed(logger, key, e.Message);
        }

        turn.ForgetActor();
        Deactivated?.Invoke(key);
        LogDeactivated(logger, key);
    }

    private static DaprError InvokeError(string reason) => new(500, "ERR_ACTOR_INVOKE_METHOD", $"error invoke actor method: {reason}");

    [LoggerMessage(EventId = 20, Level = LogLevel.Information, Message = "App hosts actor types {Types} (idle timeout {IdleTimeout}, reentrancy {Reentrancy})")]
    private static partial void LogConfigured(ILogger logger, string types, TimeSpan idleTimeout, bool reentrancy);

    [LoggerMessage(EventId = 21, Level = LogLevel.Warning, Message = "Could not read the app's actor configuration: {Reason}")]
    private static partial void LogConfigFailed(ILogger logger, string reason);

    [LoggerMessage(EventId = 22, Level = LogLevel.Debug, Message = "Deactivated actor {Actor}")]
    private static partial void LogDeactivated(ILogger logger, ActorKey actor);

    [LoggerMessage(EventId = 23, Level = LogLevel.Warning, Message = "Deactivating actor {Actor} failed: {Reason}")]
    private static partial void LogDeactivationFailed(ILogger logger, ActorKey actor, string reason);
}
