using System.Globalization;

namespace Gateway.LocalSidecar.Hosting;

/// <summary>
/// Parses daprd's command line. daprd uses Go's flag package, so <c>-flag value</c>,
/// <c>--flag value</c> and <c>--flag=value</c> are all accepted; flags daprd has but this stand-in
/// does not need are accepted and ignored so that the same command line works for both.
/// </summary>
internal static class DaprdFlags
{
    private static readonly HashSet<string> IgnoredValueFlags = new(StringComparer.Ordinal)
    {
        "app-protocol", "dapr-internal-grpc-port", "metrics-port", "config",
        "app-health-check-path", "app-health-probe-interval", "app-health-probe-timeout",
        "app-health-threshold", "placement-host-address", "scheduler-host-address", "mode",
        "app-max-concurrency", "dapr-http-max-request-size",
        "dapr-http-read-buffer-size", "dapr-graceful-shutdown-seconds", "profile-port",
        "components-path", "control-plane-address", "sentry-address", "unix-domain-socket",
        "dapr-block-shutdown-duration",
    };

    private static readonly HashSet<string> IgnoredSwitches = new(StringComparer.Ordinal)
    {
        "enable-metrics", "enable-profiling", "enable-mtls", "app-ssl", "enable-app-health-check",
        "enable-api-logging", "log-as-json",
    };

    /// <summary>Parses <paramref name="args"/>; returns an error message instead of options when they are wrong.</summary>
    public static (SidecarOptions? Options, string? Error) Parse(IReadOnlyList<string> args, Func<string, string?> environment)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!arg.StartsWith('-'))
            {
                return (null, $"unexpected argument '{arg}'");
            }

            var name = arg.TrimStart('-');
            string? value = null;
            var equals = name.IndexOf('=', StringComparison.Ordinal);
            if (equals >= 0)
            {
                value = name[(equals + 1)..];
                name = name[..equals];
            }

            if (IgnoredSwitches.Contains(name))
            {
                continue;
            }

            if (value is null)
            {
                if (i + 1 >= args.Count)
                {
                    return (null, $"flag needs an argument: -{name}");
                }

                value = args[++i];
            }

            if (IgnoredValueFlags.Contains(name))
            {
                continue;
            }

            values[name] = value;
        }

        var known = new[] { "app-id", "app-port", "app-channel-address", "dapr-http-port", "dapr-grpc-port", "dapr-listen-addresses", "resources-path", "log-level" };
        var unknown = values.Keys.FirstOrDefault(k => !known.Contains(k));
        if (unknown is not null)
        {
            return (null, $"flag provided but not defined: -{unknown}");
        }

        if (!values.TryGetValue("app-id", out var appId) || string.IsNullOrWhiteSpace(appId))
        {
            return (null, "--app-id is required");
        }

        int? appPort = null;
        if (values.TryGetValue("app-port", out var appPortText))
        {
            if (!TryParsePort(appPortText, out var port))
            {
                return (null, $"invalid value \"{appPortText}\" for flag -app-port");
            }

            appPort = port;
        }

        var httpPort = 3500;
        if (values.TryGetValue("dapr-http-port", out var httpPortText) && !TryParsePort(httpPortText, out httpPort))
        {
            return (null, $"invalid value \"{httpPortText}\" for flag -dapr-http-port");
        }

        var grpcPort = 50001;
        if (values.TryGetValue("dapr-grpc-port", out var grpcPortText) && !TryParsePort(grpcPortText, out grpcPort))
        {
            return (null, $"invalid value \"{grpcPortText}\" for flag -dapr-grpc-port");
        }

        string[] listenAddresses = ["127.0.0.1"];
        if (values.TryGetValue("dapr-listen-addresses", out var addressesText))
        {
            listenAddresses = [.. addressesText.Split(',', StringSplitOptions.TrimEntries)];
            if (listenAddresses.FirstOrDefault(a => !ListenAddress.IsValid(a)) is { } invalid)
            {
                return (null, $"invalid value \"{invalid}\" for flag -dapr-listen-addresses");
            }
        }

        var logLevel = values.GetValueOrDefault("log-level", "info");
        if (logLevel is not ("debug" or "info" or "warn" or "error" or "fatal"))
        {
            return (null, $"invalid value \"{logLevel}\" for flag -log-level");
        }

        var registry = environment("LOCALSIDECAR_REGISTRY");
        var options = new SidecarOptions
        {
            AppId = appId,
            AppPort = appPort,
            AppChannelAddress = values.GetValueOrDefault("app-channel-address", "127.0.0.1"),
            HttpPort = httpPort,
            GrpcPort = grpcPort,
            ListenAddresses = listenAddresses,
            ResourcesPath = values.GetValueOrDefault("resources-path", "components"),
            LogLevel = logLevel,
            ApiToken = NullIfEmpty(environment("DAPR_API_TOKEN")),
            AppApiToken = NullIfEmpty(environment("APP_API_TOKEN")),
            Namespace = NullIfEmpty(environment("NAMESPACE")),
        };
        return (string.IsNullOrEmpty(registry) ? options : options with { RegistryPath = registry }, null);
    }

    private static bool TryParsePort(string text, out int port) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port is > 0 and < 65536;

    private static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
