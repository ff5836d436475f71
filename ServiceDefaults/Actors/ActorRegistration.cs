using System.Collections.Frozen;
using System.Reflection;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.ServiceDefaults.Actors;

/// <summary>
/// An actor type as the app hosts it: its name, how to construct it, and its method tables, all
/// worked out once when it is registered.
/// </summary>
internal sealed class ActorRegistration
{
    private ActorRegistration(string actorType, Type implementationType, ObjectFactory factory, FrozenDictionary<string, ActorMethod> methods, FrozenDictionary<string, ActorMethod?> timerCallbacks)
    {
        ActorType = actorType;
        ImplementationType = implementationType;
        Factory = factory;
        Methods = methods;
        TimerCallbacks = timerCallbacks;
        IsRemindable = typeof(IRemindable).IsAssignableFrom(implementationType);
    }

    public string ActorType { get; }

    public Type ImplementationType { get; }

    /// <summary>Constructs an instance from DI, given its <see cref="ActorHost"/>.</summary>
    public ObjectFactory Factory { get; }

    /// <summary>The callable methods by wire name (ordinal, so case-sensitive).</summary>
    public FrozenDictionary<string, ActorMethod> Methods { get; }

    /// <summary>
    /// The methods a timer may name as its callback, by C# name (ordinal): any instance method of
    /// the actor class, public or not, with a callable signature. Null marks an overloaded name.
    /// </summary>
    public FrozenDictionary<string, ActorMethod?> TimerCallbacks { get; }

    public bool IsRemindable { get; }

    /// <summary>Builds the registration of <paramref name="implementationType"/> hosted as <paramref name="actorType"/>.</summary>
    /// <exception cref="InvalidOperationException">The type cannot be hosted, or one of its public methods cannot be called or shares its wire name.</exception>
    public static ActorRegistration Create(string actorType, Type implementationType)
    {
        if (implementationType.IsAbstract || implementationType.ContainsGenericParameters || !typeof(Actor).IsAssignableFrom(implementationType))
        {
            throw new InvalidOperationException($"{implementationType} cannot be hosted as an actor: it must be a concrete, non-generic class deriving from Actor.");
        }

        var nullability = new NullabilityInfoContext();
        var reminderHandlers = typeof(IRemindable).IsAssignableFrom(implementationType)
            ? implementationType.GetInterfaceMap(typeof(IRemindable)).TargetMethods
            : [];
        var methods = new Dictionary<string, ActorMethod>(StringComparer.Ordinal);
        var callbacks = new Dictionary<string, ActorMethod?>(StringComparer.Ordinal);
        const BindingFlags Instance = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;
        foreach (var method in implementationType.GetMethods(Instance))
        {
            // The Actor base (its hooks included, even overridden) and object contribute nothing
            // callable; accessors, compiler-made methods (local functions) and the reminder
            // handler are not methods of the actor's contract.
            if (method.DeclaringType is not { } declaring || !typeof(Actor).IsAssignableFrom(declaring)
                || method.GetBaseDefinition().DeclaringType == typeof(Actor)
                || method.IsSpecialName || method.Name.StartsWith('<') || method.IsDefined(typeof(CompilerGeneratedAttribute))
                || reminderHandlers.Contains(method))
            {
                continue;
            }

            var problem = ActorMethod.Unsupported(method);
            if (method.IsPublic && problem is null)
            {
                var name = method.GetCustomAttribute<ActorMethodAttribute>()?.Name ?? method.Name;
                if (ActorNames.Problem(name) is { } nameProblem)
                {
                    throw new InvalidOperationException($"{implementationType.Name}.{method.Name} cannot be called as '{name}': {nameProblem}.");
                }

                var compiled = ActorMethod.Create(name, method, nullability);
                if (!methods.TryAdd(name, compiled))
                {
                    throw new InvalidOperationException($"{implementationType.Name} has two methods called '{name}' ({methods[name].Method} and {method}); overloads cannot be told apart on the wire: rename one or give it [ActorMethod(\"...\")].");
                }

                AddCallback(callbacks, method.Name, compiled);
            }
            else if (method.IsPublic && IsTaskLike(method))
            {
                // A public Task method looks like part of the actor's contract; failing here beats
                // a 404 in production.
                throw new InvalidOperationException($"{implementationType.Name}.{method.Name} cannot be an actor method: {problem}.");
            }
            else if (problem is null)
            {
                AddCallback(callbacks, method.Name, ActorMethod.Create(method.Name, method, nullability));
            }
        }

        var factory = ActivatorUtilities.CreateFactory(implementationType, [typeof(ActorHost)]);
        return new ActorRegistration(actorType, implementationType, factory, methods.ToFrozenDictionary(StringComparer.Ordinal), callbacks.ToFrozenDictionary(StringComparer.Ordinal));
    }

    private static bool IsTaskLike(MethodInfo method) => typeof(Task).IsAssignableFrom(method.ReturnType);

    private static void AddCallback(Dictionary<string, ActorMethod?> callbacks, string name, ActorMethod method)
    {
        if (!callbacks.TryAdd(name, method))
        {
            callbacks[name] = null;
        }
    }
}
