namespace Gateway.LocalSidecar.Components;

/// <summary>A Dapr <c>Component</c> resource as read from the resources path.</summary>
/// <param name="Name">metadata.name: the name callers use, e.g. <c>statestore</c>.</param>
/// <param name="Type">spec.type, e.g. <c>state.sqlite</c>.</param>
/// <param name="Version">spec.version, e.g. <c>v1</c>.</param>
/// <param name="Metadata">spec.metadata, with <c>envRef</c> values already resolved. Names compare case-insensitively, as in Dapr.</param>
/// <param name="Scopes">App ids allowed to load it; empty means every app.</param>
/// <param name="FilePath">The file it came from, for error messages.</param>
internal sealed record ComponentDefinition(
    string Name,
    string Type,
    string Version,
    IReadOnlyDictionary<string, string> Metadata,
    IReadOnlyList<string> Scopes,
    string FilePath)
{
    public bool IsInScopeFor(string appId) => Scopes.Count == 0 || Scopes.Contains(appId, StringComparer.Ordinal);

    public string? GetMetadata(string name) => Metadata.TryGetValue(name, out var value) ? value : null;
}
