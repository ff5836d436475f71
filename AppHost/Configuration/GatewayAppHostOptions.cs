using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Configuration;

namespace Gateway.AppHost.Configuration;

/// <summary>How the app host chooses the ports of its resources.</summary>
internal enum PortMode
{
    /// <summary>The README's ports (proxy 5080, sidecars 3500-3502, ...), so a newcomer can curl them.</summary>
    Fixed,

    /// <summary>Free ports allocated by Aspire's orchestrator, so several suites (tests) run side by side.</summary>
    Auto,
}

/// <summary>Which program plays the Dapr sidecar next to each service.</summary>
internal enum SidecarMode
{
    /// <summary>The repository's LocalSidecar, started with daprd's flags.</summary>
    Local,

    /// <summary>The real <c>daprd</c> from PATH (or <c>~/.dapr/bin</c>); actors need a placement service.</summary>
    Daprd,
}

/// <summary>Which state store the sidecars load, i.e. which components folder they read.</summary>
internal enum StateStoreKind
{
    /// <summary><c>components/</c>: state.sqlite in <c>data/gateway.db</c> under the work directory.</summary>
    Sqlite,

    /// <summary><c>components/postgresql/</c>: state.postgresql, connection string from <c>GATEWAY_POSTGRES_CONNECTION</c>.</summary>
    PostgreSql,
}

/// <summary>
/// The app host's own settings, read from its configuration: the command line after <c>--</c>
/// (<c>--store postgresql</c>), <c>appsettings.json</c> or <c>Gateway__Store</c>-style variables.
/// Each default is stated once, here.
/// </summary>
internal sealed record GatewayAppHostOptions
{
    /// <summary><c>--store sqlite|postgresql</c>. Default: <see cref="StateStoreKind.Sqlite"/>.</summary>
    public StateStoreKind Store { get; init; } = StateStoreKind.Sqlite;

    /// <summary><c>--sidecar local|daprd</c>. Default: <see cref="SidecarMode.Local"/>.</summary>
    public SidecarMode Sidecar { get; init; } = SidecarMode.Local;

    /// <summary><c>--ports fixed|auto</c>. Default: <see cref="PortMode.Fixed"/>.</summary>
    public PortMode Ports { get; init; } = PortMode.Fixed;

    /// <summary><c>--work-dir DIR</c>: where the sidecars run, so where <c>data/gateway.db</c> lives. Default: the repository root.</summary>
    public string? WorkDirectory { get; init; }

    /// <summary><c>--sidecar-log-level LEVEL</c>, passed to every sidecar as <c>--log-level</c>. Default: <c>info</c>.</summary>
    public string SidecarLogLevel { get; init; } = "info";

    /// <summary><c>--placement HOST:PORT</c>: daprd's actor placement service. Default: <c>localhost:50005</c> (what <c>dapr init</c> starts).</summary>
    public string Placement { get; init; } = "localhost:50005";

    private static readonly string[] Known = ["store", "sidecar", "ports", "work-dir", "sidecar-log-level", "placement"];

    /// <summary>Reads and validates the options; a value that is not one of the choices is an error naming them.</summary>
    public static bool TryRead(IConfiguration configuration, [NotNullWhen(true)] out GatewayAppHostOptions? options, out string error)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        options = null;
        var defaults = new GatewayAppHostOptions();
        if (!TryChoice(configuration, "store", defaults.Store, out StateStoreKind store, out error, ("sqlite", StateStoreKind.Sqlite), ("postgresql", StateStoreKind.PostgreSql))
            || !TryChoice(configuration, "sidecar", defaults.Sidecar, out SidecarMode sidecar, out error, ("local", SidecarMode.Local), ("daprd", SidecarMode.Daprd))
            || !TryChoice(configuration, "ports", defaults.Ports, out PortMode ports, out error, ("fixed", PortMode.Fixed), ("auto", PortMode.Auto)))
        {
            return false;
        }

        options = defaults with
        {
            Store = store,
            Sidecar = sidecar,
            Ports = ports,
            WorkDirectory = NullIfEmpty(configuration["work-dir"]),
            SidecarLogLevel = NullIfEmpty(configuration["sidecar-log-level"]) ?? defaults.SidecarLogLevel,
            Placement = NullIfEmpty(configuration["placement"]) ?? defaults.Placement,
        };
        error = "";
        return true;
    }

    /// <summary>The option names, for the usage line of an error.</summary>
    public static string Usage => string.Join(", ", Known.Select(k => "--" + k));

    private static bool TryChoice<T>(IConfiguration configuration, string key, T fallback, out T value, out string error, params (string Text, T Value)[] choices)
    {
        error = "";
        value = fallback;
        if (NullIfEmpty(configuration[key]) is not { } text)
        {
            return true;
        }

        foreach (var (choice, choiceValue) in choices)
        {
            if (string.Equals(text, choice, StringComparison.OrdinalIgnoreCase))
            {
                value = choiceValue;
                return true;
            }
        }

        error = $"--{key} {text} is not one of: {string.Join(", ", choices.Select(c => c.Text))}.";
        return false;
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();
}
