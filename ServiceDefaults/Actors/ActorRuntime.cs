using System.Collections.Concurrent;
using System.Collections.Frozen;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.ServiceDefaults.Actors;

/// <summary>
/// The actor instances this app hosts: one live instance per id, created on its first call,
/// dropped on deactivation; every call runs in the instance's turn, with its state committed on
/// success and rolled back on failure.
/// </summary>
internal sealed class ActorRuntime
{
    private readonly FrozenDictionary<string, ConcurrentDictionary<string, Instance>> _instances;
    private readonly IServiceProvider _services;
    private readonly ActorSidecarApi _sidecar;
    private readonly ActorClient _client;
    private readonly ILogger _logger;

    public ActorRuntime(ActorRuntimeOptions options, IServiceProvider services, ActorSidecarApi sidecar, ActorClient client, ILogger logger)
    {
        Options = options;
        _services = services;
        _sidecar = sidecar;
        _client = client;
        _logger = logger;
        Registrations = options.Registrations.ToFrozenDictionary(r => r.ActorType, StringComparer.Ordinal);
        _instances = options.Registrations.ToFrozenDictionary(r => r.ActorType, _ => new ConcurrentDictionary<string, Instance>(StringComparer.Ordinal), StringComparer.Ordinal);
    }

    public ActorRuntimeOptions Options { get; }

    public ILogger Logger => _logger;

    /// <summary>How arguments, results and reminder data are read and written: the Dapr client's options.</summary>
    public System.Text.Json.JsonSerializerOptions Json => _sidecar.Json;

    /// <summary>The hosted types by name (ordinal).</summary>
    public FrozenDictionary<string, ActorRegistration> Registrations { get; }

    /// <summary>How many instances of <paramref name="actorType"/> are live (for tests and diagnostics).</summary>
    public int CountActive(string actorType) => _instances[actorType].Values.Count(i => i.Actor is not null && !i.Removed);

    /// <summary>
    /// Runs <paramref name="work"/> in the turn of <paramref name="registration"/>/<paramref name="actorId"/>,
    /// activating the instance first when needed. Commits the turn's state changes when the
    /// outermost turn succeeds; rolls them back when <paramref name="work"/> or the commit throws,
    /// and rethrows. <see cref="TurnOutcome{T}.Entered"/> is false when a reentrant call would go
    /// deeper than allowed.
    /// </summary>
    public async Task<TurnOutcome<T>> RunTurnAsync<T>(ActorRegistration registration, string actorId, string? reentrancyId, Func<Actor, CancellationToken, Task<T>> work, CancellationToken cancellationToken)
    {
        var instances = _instances[registration.ActorType];
        var reentrancy = Options.Reentrancy;
        while (true)
        {
            var instance = instances.GetOrAdd(actorId, static _ => new Instance());
            using var turn = await instance.Lock.EnterAsync(reentrancy.Enabled ? reentrancyId : null, reentrancy.MaxStackDepth, cancellationToken).ConfigureAwait(false);
            if (turn is null)
            {
                return default;
            }

            if (instance.Removed)
            {
                // Deactivated while this call waited: the id gets a fresh instance.
                continue;
            }

            // Calls the actor makes, from its activation on, carry this call's reentrancy id.
            ActorCallContext.Enter(reentrancyId);
            if (instance.Actor is null && !turn.IsOutermost)
            {
                // A chain that comes back while the actor is still activating (OnActivateAsync
                // calling out): there is no instance to run on yet.
                throw new InvalidOperationException($"Actor {registration.ActorType} re-entered while it was still activating.");
            }

            var actor = instance.Actor ?? await ActivateAsync(registration, actorId, instance, cancellationToken).ConfigureAwait(false);
            var state = actor.Host.State;
            var snapshot = state.BeginTurn();
            try
            {
                var result = await work(actor, cancellationToken).ConfigureAwait(false);

                // A reentrant call is part of the outer call's turn: the outer one commits for both.
                if (turn.IsOutermost)
                {
                    await state.CommitAsync(cancellationToken).ConfigureAwait(false);
                }

                return new TurnOutcome<T>(true, result);
            }
            catch
            {
                state.Rollback(snapshot);
                throw;
            }
        }
    }

    /// <summary>
    /// Deactivates <paramref name="registration"/>/<paramref name="actorId"/> in a turn of its own:
    /// runs its <c>OnDeactivateAsync</c> and drops the instance (also when the hook throws, which
    /// is rethrown). False when it was not active.
    /// </summary>
    public async Task<bool> DeactivateAsync(ActorRegistration registration, string actorId, CancellationToken cancellationToken)
    {
        var instances = _instances[registration.ActorType];
        if (!instances.TryGetValue(actorId, out var instance))
        {
            return false;
        }

        using var turn = await instance.Lock.EnterAsync(null, int.MaxValue, cancellationToken).ConfigureAwait(false);
        if (instance.Removed)
        {
            return false;
        }

        Remove(instances, actorId, instance);
        if (instance.Actor is not { } actor)
        {
            return false;
        }

        try
        {
            // Nothing is committed: daprd drops the actor from its table before calling the app, and
            // from then on refuses its state writes (ERR_ACTOR_INSTANCE_MISSING).
            await actor.DeactivateAsync(cancellationToken).ConfigureAwait(false);
            ActorLog.Deactivated(_logger, registration.ActorType, actorId);
            return true;
        }
        catch (Exception e)
        {
            ActorLog.DeactivationFailed(_logger, registration.ActorType, actorId, e);
            throw;
        }
        finally
        {
            await instance.Scope.DisposeAsync().ConfigureAwait(false);
        }
    }

    private async Task<Actor> ActivateAsync(ActorRegistration registration, string actorId, Instance instance, CancellationToken cancellationToken)
    {
        var scope = _services.CreateAsyncScope();
        try
        {
            var host = new ActorHost(registration.ActorType, actorId, _sidecar, _client, registration);
            var actor = (Actor)registration.Factory(scope.ServiceProvider, [host]);
            if (!ReferenceEquals(actor.Host, host))
            {
                throw new InvalidOperationException($"{registration.ImplementationType.Name} must pass the ActorHost it is given to the Actor constructor.");
            }

            await actor.ActivateAsync(cancellationToken).ConfigureAwait(false);
            await host.State.CommitAsync(cancellationToken).ConfigureAwait(false);
            instance.Actor = actor;
            instance.Scope = scope;
            ActorLog.Activated(_logger, registration.ActorType, actorId);
            return actor;
        }
        catch (Exception e)
        {
            Remove(_instances[registration.ActorType], actorId, instance);
            await scope.DisposeAsync().ConfigureAwait(false);
            ActorLog.ActivationFailed(_logger, registration.ActorType, actorId, e);
            throw;
        }
    }

    private static void Remove(ConcurrentDictionary<string, Instance> instances, string actorId, Instance instance)
    {
        instance.Removed = true;
        instances.TryRemove(new KeyValuePair<string, Instance>(actorId, instance));
    }

    /// <summary>One actor id's slot: its turn lock and, once activated, its instance and DI scope. Changed only inside its turn.</summary>
    private sealed class Instance
    {
        public ActorTurnLock Lock { get; } = new();

        public Actor? Actor { get; set; }

        public AsyncServiceScope Scope { get; set; }

        public bool Removed { get; set; }
    }
}

/// <summary>The end of a turn: <see cref="Entered"/> false when the call could not enter (reentrancy too deep), else the work's result.</summary>
internal readonly record struct TurnOutcome<T>(bool Entered, T? Result);
