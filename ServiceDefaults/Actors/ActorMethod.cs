using System.Linq.Expressions;
using System.Reflection;

namespace Gateway.ServiceDefaults.Actors;

/// <summary>
/// One callable actor method (or timer callback), compiled once at registration into a delegate:
/// <c>(actor, argument, cancellationToken) → Task</c> plus, for <c>Task&lt;T&gt;</c>, a reader of
/// the result. Calls then cost a dictionary lookup and a delegate call, no reflection.
/// </summary>
internal sealed class ActorMethod
{
    private readonly Func<Actor, object?, CancellationToken, Task> _invoke;
    private readonly Func<Task, object?>? _readResult;

    private ActorMethod(string name, MethodInfo method, Type? parameterType, bool parameterAcceptsNull, Type? resultType, Func<Actor, object?, CancellationToken, Task> invoke, Func<Task, object?>? readResult)
    {
        Name = name;
        Method = method;
        ParameterType = parameterType;
        ParameterAcceptsNull = parameterAcceptsNull;
        ResultType = resultType;
        _invoke = invoke;
        _readResult = readResult;
    }

    /// <summary>The name the method is looked up by.</summary>
    public string Name { get; }

    public MethodInfo Method { get; }

    /// <summary>The type the request body is read as; null when the method takes no argument.</summary>
    public Type? ParameterType { get; }

    /// <summary>Whether an empty body or a JSON <c>null</c> may be passed as the argument.</summary>
    public bool ParameterAcceptsNull { get; }

    /// <summary>The T of <c>Task&lt;T&gt;</c>; null for a plain <c>Task</c>.</summary>
    public Type? ResultType { get; }

    /// <summary>Runs the method on <paramref name="actor"/>; the result is null for a plain <c>Task</c>.</summary>
    public async Task<object?> InvokeAsync(Actor actor, object? argument, CancellationToken cancellationToken)
    {
        var task = _invoke(actor, argument, cancellationToken);
        await task.ConfigureAwait(false);
        return _readResult?.Invoke(task);
    }

    /// <summary>
    /// Why <paramref name="method"/> cannot be called through the actor protocol, or null when it
    /// can: it must return <c>Task</c> or <c>Task&lt;T&gt;</c>, not be generic, and take zero or one
    /// parameter plus an optional trailing <see cref="CancellationToken"/>, none by reference.
    /// </summary>
    public static string? Unsupported(MethodInfo method)
    {
        if (method.ContainsGenericParameters)
        {
            return "it is generic";
        }

        if (!IsTask(method.ReturnType))
        {
            return "it does not return Task or Task<T>";
        }

        var parameters = method.GetParameters();
        if (parameters.Any(p => p.ParameterType.IsByRef || p.ParameterType.IsPointer))
        {
            return "it has a ref, out, in or pointer parameter";
        }

        var arguments = parameters.Count(p => p.ParameterType != typeof(CancellationToken));
        var tokens = parameters.Length - arguments;
        if (arguments > 1 || tokens > 1 || (tokens == 1 && parameters[^1].ParameterType != typeof(CancellationToken)))
        {
            return "it must take at most one argument, optionally followed by a CancellationToken";
        }

        return null;
    }

    public static bool IsTask(Type type) =>
        type == typeof(Task) || (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(Task<>));

    /// <summary>Compiles <paramref name="method"/>, which must pass <see cref="Unsupported"/>.</summary>
    public static ActorMethod Create(string name, MethodInfo method, NullabilityInfoContext nullability)
    {
        var actor = Expression.Parameter(typeof(Actor), "actor");
        var argument = Expression.Parameter(typeof(object), "argument");
        var token = Expression.Parameter(typeof(CancellationToken), "cancellationToken");
        ParameterInfo? parameter = null;
        var arguments = new List<Expression>();
        foreach (var p in method.GetParameters())
        {
            if (p.ParameterType == typeof(CancellationToken))
            {
                arguments.Add(token);
            }
            else
            {
                parameter = p;
                arguments.Add(Expression.Convert(argument, p.ParameterType));
            }
        }

        var call = Expression.Call(Expression.Convert(actor, method.DeclaringType!), method, arguments);
        var invoke = Expression.Lambda<Func<Actor, object?, CancellationToken, Task>>(call, actor, argument, token).Compile();

        Type? resultType = null;
        Func<Task, object?>? readResult = null;
        if (method.ReturnType != typeof(Task))
        {
            resultType = method.ReturnType.GetGenericArguments()[0];
            var task = Expression.Parameter(typeof(Task), "task");
            var result = Expression.Property(Expression.Convert(task, method.ReturnType), nameof(Task<object>.Result));
            readResult = Expression.Lambda<Func<Task, object?>>(Expression.Convert(result, typeof(object)), task).Compile();
        }

        var acceptsNull = parameter is not null && AcceptsNull(parameter, nullability);
        return new ActorMethod(name, method, parameter?.ParameterType, acceptsNull, resultType, invoke, readResult);
    }

    private static bool AcceptsNull(ParameterInfo parameter, NullabilityInfoContext nullability)
    {
        var type = parameter.ParameterType;
        if (type.IsValueType)
        {
            return Nullable.GetUnderlyingType(type) is not null;
        }

        // Without nullable annotations (oblivious code) null is the reference type's own business.
        return nullability.Create(parameter).WriteState is not NullabilityState.NotNull;
    }
}
