namespace Gateway.ServiceDefaults.Actors;

/// <summary>
/// The actor call this code runs in, if any, flowing with the async context: lets
/// <see cref="ActorClient"/> pass the call's <c>Dapr-Reentrancy-Id</c> on, so a chain that comes
/// back to an actor it holds re-enters instead of waiting for itself.
/// </summary>
internal static class ActorCallContext
{
    private static readonly AsyncLocal<string?> s_reentrancyId = new();

    public static string? ReentrancyId => s_reentrancyId.Value;

    /// <summary>Sets the reentrancy id for the code that runs from here in this async flow; an async method's changes end with it.</summary>
    public static void Enter(string? reentrancyId) => s_reentrancyId.Value = reentrancyId;
}
