namespace Gateway.LocalSidecar.State;

/// <summary>
/// daprd's <c>keyPrefix</c> strategies: the stored key is <c>{prefix}||{key}</c>, where the prefix
/// is the app id (default), the store name, <c>{namespace}.{appId}</c>, nothing, or a literal.
/// daprd lower-cases the configured value, literals included.
/// </summary>
internal sealed class StateKeyPrefix
{
    public const string Separator = "||";

    private readonly string _strategy;

    private StateKeyPrefix(string strategy) => _strategy = strategy;

    public static StateKeyPrefix Parse(string? configured) =>
        new(string.IsNullOrEmpty(configured) ? "appid" : configured.ToLowerInvariant());

    public bool IsValid => !_strategy.Contains(Separator, StringComparison.Ordinal);

    public string Strategy => _strategy;

    /// <summary>The stored key, or null when the key contains the separator (daprd rejects it).</summary>
    public string? Apply(string key, string storeName, string appId, string? @namespace)
    {
        if (key.Contains(Separator, StringComparison.Ordinal))
        {
            return null;
        }

        return _strategy switch
        {
            "none" => key,
            "name" => storeName + Separator + key,
            "appid" => appId.Length == 0 ? key : appId + Separator + key,
            "namespace" when appId.Length == 0 => key,
            "namespace" => string.IsNullOrEmpty(@namespace) ? appId + Separator + key : @namespace + "." + appId + Separator + key,
            _ => _strategy + Separator + key,
        };
    }

    /// <summary>The key as the caller named it: daprd takes the second <c>||</c>-separated part, if any.</summary>
    public static string Original(string storedKey)
    {
        var parts = storedKey.Split(Separator, 3);
        return parts.Length <= 1 ? storedKey : parts[1];
    }
}
