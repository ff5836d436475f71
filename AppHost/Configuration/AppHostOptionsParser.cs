using System.Globalization;

namespace Gateway.AppHost.Configuration;

/// <summary>Reads <see cref="AppHostOptions"/> from <c>--name value</c> or <c>--name=value</c> arguments.</summary>
internal static class AppHostOptionsParser
{
    public static bool TryParse(IReadOnlyList<string> args, out AppHostOptions options, out string error)
    {
        ArgumentNullException.ThrowIfNull(args);
        options = new AppHostOptions();
        var overrides = new Dictionary<string, int>(StringComparer.Ordinal);

        for (var i = 0; i < args.Count; i++)
        {
            var (name, value) = Split(args[i]);
            if (name is "-h" or "-?" or "--help")
            {
                options = options with { ShowHelp = true };
                continue;
            }

            if (name == "--no-color")
            {
                options = options with { NoColor = true };
                continue;
            }

            if (value is null)
            {
                if (i + 1 >= args.Count || !IsValueOption(name))
                {
                    error = IsValueOption(name) ? $"Option '{name}' needs a value." : $"Unknown option '{args[i]}'.";
                    return false;
                }

                value = args[++i];
            }

            var problem = Apply(ref options, name, value, overrides);
            if (problem is not null)
            {
                error = IsValueOption(name) ? $"Invalid value '{value}' for {name}: {problem}." : $"Unknown option '{name}'.";
                return false;
            }
        }

        options = options with { PortOverrides = overrides };
        error = "";
        return true;
    }

    private static bool IsValueOption(string name) => name is "--ports" or "--port" or "--sidecar" or "--store"
        or "--resources-path" or "--work-dir" or "--startup-timeout" or "--shutdown-timeout" or "--sidecar-log-level" or "--placement";

    /// <returns>null when applied; otherwise what a valid value looks like.</returns>
    private static string? Apply(ref AppHostOptions options, string name, string value, Dictionary<string, int> overrides)
    {
        switch (name)
        {
            case "--ports" when TryChoose(value, out PortMode ports, ("fixed", PortMode.Fixed), ("auto", PortMode.Auto)):
                options = options with { Ports = ports };
                return null;
            case "--ports":
                return "expected fixed or auto";
            case "--port":
                return TryAddPortOverride(value, overrides) ? null : "expected NAME=PORT with PORT in 1..65535, e.g. billing=6081";
            case "--sidecar" when TryChoose(value, out SidecarMode sidecar, ("local", SidecarMode.Local), ("daprd", SidecarMode.Daprd)):
                options = options with { Sidecar = sidecar };
                return null;
            case "--sidecar":
                return "expected local or daprd";
            case "--store" when TryChoose(value, out StateStoreKind store, ("sqlite", StateStoreKind.Sqlite), ("postgresql", StateStoreKind.PostgreSql), ("postgres", StateStoreKind.PostgreSql)):
                options = options with { Store = store };
                return null;
            case "--store":
                return "expected sqlite or postgresql";
            case "--resources-path":
                options = options with { ResourcesPath = value };
                return null;
            case "--work-dir":
                options = options with { WorkDirectory = value };
                return null;
            case "--startup-timeout" when TrySeconds(value, out var startup):
                options = options with { StartupTimeout = startup };
                return null;
            case "--shutdown-timeout" when TrySeconds(value, out var shutdown):
                options = options with { ShutdownTimeout = shutdown };
                return null;
            case "--startup-timeout" or "--shutdown-timeout":
                return "expected a positive number of seconds";
            case "--sidecar-log-level" when value is "debug" or "info" or "warn" or "error":
                options = options with { SidecarLogLevel = value };
                return null;
            case "--sidecar-log-level":
                return "expected debug, info, warn or error";
            case "--placement":
                options = options with { PlacementAddress = value };
                return null;
            default:
                return "unknown option";
        }
    }

    private static (string Name, string? Value) Split(string arg)
    {
        var equals = arg.IndexOf('=', StringComparison.Ordinal);
        return arg.StartsWith("--", StringComparison.Ordinal) && equals > 0 ? (arg[..equals], arg[(equals + 1)..]) : (arg, null);
    }

    private static bool TryChoose<T>(string value, out T result, params (string Name, T Value)[] choices)
    {
        foreach (var (name, choice) in choices)
        {
            if (string.Equals(name, value, StringComparison.OrdinalIgnoreCase))
            {
                result = choice;
                return true;
            }
        }

        result = default!;
        return false;
    }

    private static bool TrySeconds(string value, out TimeSpan result)
    {
        var ok = double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds is > 0 and < 86_400;
        result = ok ? TimeSpan.FromSeconds(seconds) : default;
        return ok;
    }

    private static bool TryAddPortOverride(string value, Dictionary<string, int> overrides)
    {
        var equals = value.IndexOf('=', StringComparison.Ordinal);
        if (equals <= 0 || !int.TryParse(value.AsSpan(equals + 1), NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            return false;
        }

        overrides[value[..equals]] = port;
        return true;
    }
}
