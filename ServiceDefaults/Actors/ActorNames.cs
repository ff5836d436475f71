namespace Gateway.ServiceDefaults.Actors;

/// <summary>
/// The rule daprd applies to actor types, ids and reminder or timer names (its
/// <c>ValidateName</c>): they travel as single URL path segments, so they must not be empty, hold
/// <c>/ \ # ?</c>, NUL or control characters, nor be <c>.</c> or <c>..</c>. Checked here so a bad
/// name fails as an <see cref="ArgumentException"/> before anything is sent.
/// </summary>
internal static class ActorNames
{
    public static void Check(string name, string paramName)
    {
        ArgumentException.ThrowIfNullOrEmpty(name, paramName);
        if (Problem(name) is { } problem)
        {
            throw new ArgumentException($"'{name}' cannot be an actor type, id or reminder name: {problem}.", paramName);
        }
    }

    public static string? Problem(string name)
    {
        if (name.Length == 0)
        {
            return "it is empty";
        }

        if (name is "." or "..")
        {
            return "it is a dot segment";
        }

        foreach (var c in name)
        {
            if (c is '/' or '\\' or '#' or '?' || char.IsControl(c))
            {
                return "it contains '/', '\\', '#', '?' or a control character";
            }
        }

        return null;
    }
}
