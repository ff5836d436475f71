namespace Gateway.ServiceDefaults.Actors;

/// <summary>
/// Names a public actor method on the wire: <c>[ActorMethod("increment")]</c> makes
/// <c>IncrementAsync</c> callable as <c>PUT .../method/increment</c>. Without it the wire name is
/// the C# method name itself (as in the Dapr .NET SDK). Names are matched case-sensitively.
/// </summary>
[AttributeUsage(AttributeTargets.Method, AllowMultiple = false, Inherited = true)]
public sealed class ActorMethodAttribute(string name) : Attribute
{
    /// <summary>The name callers use after <c>/method/</c>.</summary>
    public string Name { get; } = name;
}
