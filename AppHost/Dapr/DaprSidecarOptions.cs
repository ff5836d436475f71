namespace Gateway.AppHost.Dapr;

/// <summary>
/// How a Dapr sidecar is started next to its app: the program (LocalSidecar or daprd), the ports
/// it listens on, its components and the tokens of the pair.
/// </summary>
internal sealed record DaprSidecarOptions
{
    /// <summary>The program: <c>dotnet</c> with LocalSidecar's assembly as first argument, or <c>daprd</c>.</summary>
    public required DaprSidecarProgram Program { get; init; }

    /// <summary><c>--dapr-http-port</c>; also <c>DAPR_HTTP_PORT</c> / <c>DAPR_HTTP_ENDPOINT</c> of the app.</summary>
    public required int HttpPort { get; init; }

    /// <summary><c>--dapr-grpc-port</c>; also <c>DAPR_GRPC_PORT</c> / <c>DAPR_GRPC_ENDPOINT</c> of the app.</summary>
    public required int GrpcPort { get; init; }

    /// <summary><c>--metrics-port</c> (daprd only; null leaves it out).</summary>
    public int? MetricsPort { get; init; }

    /// <summary><c>--resources-path</c>: the components folder.</summary>
    public required string ResourcesPath { get; init; }

    /// <summary>The sidecar's working directory: relative paths in component files resolve against it.</summary>
    public required string WorkDirectory { get; init; }

    /// <summary><c>--log-level</c>. Default: <c>info</c>.</summary>
    public string LogLevel { get; init; } = "info";

    /// <summary><c>DAPR_API_TOKEN</c> of the pair: the app presents it to its sidecar. Null: none.</summary>
    public string? ApiToken { get; init; }

    /// <summary><c>APP_API_TOKEN</c> of the pair: the sidecar presents it to its app. Null: none.</summary>
    public string? AppApiToken { get; init; }
}

/// <summary>The sidecar program and what it needs beyond daprd's flags.</summary>
/// <param name="Command">The executable.</param>
/// <param name="PrefixArguments">Arguments before daprd's flags (LocalSidecar's assembly path).</param>
/// <param name="ExtraArguments">daprd-only flags, e.g. the placement address.</param>
/// <param name="Environment">Extra variables, e.g. LocalSidecar's registry folder.</param>
/// <param name="Description">For the start-up line, e.g. <c>LocalSidecar</c>.</param>
internal sealed record DaprSidecarProgram(
    string Command,
    IReadOnlyList<string> PrefixArguments,
    IReadOnlyList<string> ExtraArguments,
    IReadOnlyDictionary<string, string> Environment,
    string Description);
