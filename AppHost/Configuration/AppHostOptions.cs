namespace Gateway.AppHost.Configuration;

/// <summary>How the AppHost chooses the ports of its resources.</summary>
internal enum PortMode
{
    /// <summary>The documented ports of each resource definition, so a newcomer can curl them.</summary>
    Fixed,

    /// <summary>Free ports picked by the operating system, so several suites (tests) can run side by side.</summary>
    Auto,
}

/// <summary>Which program plays the Dapr sidecar next to each service.</summary>
internal enum SidecarMode
{
    /// <summary>The repository's LocalSidecar, started with <c>dotnet</c>.</summary>
    Local,

    /// <summary>The real <c>daprd</c>, which must be on PATH (or in ~/.dapr/bin).</summary>
    Daprd,
}

/// <summary>Which state store the sidecars load, i.e. which components folder they read.</summary>
internal enum StateStoreKind
{
    /// <summary><c>components/</c>: state.sqlite in <c>data/gateway.db</c> under the working directory.</summary>
    Sqlite,

    /// <summary><c>components/postgresql/</c>: state.postgresql, connection string from the environment.</summary>
    PostgreSql,
}

/// <summary>Command-line options of the AppHost. Each default is stated once, here.</summary>
internal sealed record AppHostOptions
{
    /// <summary><c>--ports fixed|auto</c>. Default: <see cref="PortMode.Fixed"/>.</summary>
    public PortMode Ports { get; init; } = PortMode.Fixed;

    /// <summary><c>--port NAME=PORT</c>, repeatable: pins one port in either mode. Default: none.</summary>
    public IReadOnlyDictionary<string, int> PortOverrides { get; init; } = new Dictionary<string, int>(StringComparer.Ordinal);

    /// <summary><c>--sidecar local|daprd</c>. Default: <see cref="SidecarMode.Local"/>.</summary>
    public SidecarMode Sidecar { get; init; } = SidecarMode.Local;

    /// <summary><c>--store sqlite|postgresql</c>. Default: <see cref="StateStoreKind.Sqlite"/>.</summary>
    public StateStoreKind Store { get; init; } = StateStoreKind.Sqlite;

    /// <summary><c>--resources-path DIR</c>: overrides the components folder chosen by <see cref="Store"/>. Default: none.</summary>
    public string? ResourcesPath { get; init; }

    /// <summary><c>--work-dir DIR</c>: working directory of the sidecars. Default: the repository root.</summary>
    public string? WorkDirectory { get; init; }

    /// <summary><c>--startup-timeout SECONDS</c>: how long every resource may take to become healthy. Default: 60 s.</summary>
    public TimeSpan StartupTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary><c>--shutdown-timeout SECONDS</c>: graceful stop per tier before the process tree is killed. Default: 10 s.</summary>
    public TimeSpan ShutdownTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary><c>--sidecar-log-level LEVEL</c>: passed to every sidecar as <c>--log-level</c>. Default: <c>info</c>.</summary>
    public string SidecarLogLevel { get; init; } = "info";

    /// <summary><c>--placement HOST:PORT</c>: actor placement service for daprd. Default: <c>localhost:50005</c> (what <c>dapr init</c> starts).</summary>
    public string PlacementAddress { get; init; } = "localhost:50005";

    /// <summary><c>--no-color</c>: never color the log prefixes. Default: colored when stdout is a terminal and NO_COLOR is unset.</summary>
    public bool NoColor { get; init; }

    /// <summary><c>--help</c> / <c>-h</c>: print usage and exit 0.</summary>
    public bool ShowHelp { get; init; }
}
