namespace Gateway.AppHost.Resources;

/// <summary>What a started process is, as shown in the resource table.</summary>
internal enum ResourceKind
{
    Service,
    Sidecar,
}

/// <summary>One process to start, fully resolved: command line, environment, ports and readiness probe.</summary>
/// <param name="Name">Resource name: log prefix, table row, <c>--port</c> key.</param>
/// <param name="Kind">Service or sidecar.</param>
/// <param name="FileName">Program to run (<c>dotnet</c> for the repository's projects, or daprd).</param>
/// <param name="Arguments">Its arguments, passed one by one (no shell quoting).</param>
/// <param name="Environment">Variables set on top of the AppHost's own environment; a null value removes an inherited one.</param>
/// <param name="WorkingDirectory">Working directory of the process.</param>
/// <param name="Url">Base URL (<c>http://127.0.0.1:PORT</c>) printed in the table.</param>
/// <param name="ReadinessUrl">Answers 2xx once the resource is ready.</param>
/// <param name="Ports">Every port the process will listen on, keyed as <c>--port</c> names them.</param>
internal sealed record ResourceSpec(
    string Name,
    ResourceKind Kind,
    string FileName,
    IReadOnlyList<string> Arguments,
    IReadOnlyDictionary<string, string?> Environment,
    string WorkingDirectory,
    string Url,
    Uri ReadinessUrl,
    IReadOnlyDictionary<string, int> Ports)
{
    /// <summary>
    /// Stop order: apps (0) before sidecars (1), so that an app shutting down can still reach its
    /// state and peers through its sidecar.
    /// </summary>
    public int StopTier => Kind == ResourceKind.Service ? 0 : 1;
}

/// <summary>The whole suite to start, with what the startup banner reports.</summary>
internal sealed record SuitePlan(
    IReadOnlyList<ResourceSpec> Resources,
    string Store,
    string Sidecar,
    string ResourcesPath,
    string WorkDirectory);
