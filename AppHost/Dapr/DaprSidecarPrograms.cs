using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using Gateway.AppHost.Configuration;

namespace Gateway.AppHost.Dapr;

/// <summary>Finds the sidecar program the options ask for.</summary>
internal static class DaprSidecarPrograms
{
    /// <summary>
    /// LocalSidecar: <c>dotnet</c> with the assembly this app host was built with (recorded by the
    /// Launchable reference, see Directory.Build.targets); daprd: from PATH or <c>~/.dapr/bin</c>.
    /// </summary>
    public static bool TryFind(GatewayAppHostOptions options, string workDirectory, [NotNullWhen(true)] out DaprSidecarProgram? program, out string error)
    {
        ArgumentNullException.ThrowIfNull(options);
        program = null;
        error = "";
        if (options.Sidecar == SidecarMode.Daprd)
        {
            var daprd = FindOnPath("daprd") ?? Existing(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dapr", "bin", "daprd"));
            if (daprd is null)
            {
                error = "--sidecar daprd was asked for, but daprd is neither on PATH nor in ~/.dapr/bin. Install Dapr ('dapr init') or use --sidecar local.";
                return false;
            }

            program = new DaprSidecarProgram(daprd, [], ["--placement-host-address", options.Placement], new Dictionary<string, string>(), $"daprd ({daprd})");
            return true;
        }

        var assembly = typeof(DaprSidecarPrograms).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
            .SingleOrDefault(a => a.Key == "launchable:LocalSidecar")?.Value;
        if (assembly is null || !File.Exists(assembly))
        {
            error = $"LocalSidecar is not built ({assembly ?? "no path recorded"}); run 'dotnet build' first.";
            return false;
        }

        // LocalSidecars find each other through a folder (daprd uses mDNS); one per work directory,
        // so two suites on one machine never deliver each other's invocations.
        var registry = Environment.GetEnvironmentVariable("LOCALSIDECAR_REGISTRY") is { Length: > 0 } chosen
            ? chosen
            : Path.Combine(workDirectory, "data", "localsidecar-registry");
        program = new DaprSidecarProgram(
            "dotnet",
            [assembly],
            [],
            new Dictionary<string, string>(StringComparer.Ordinal) { ["LOCALSIDECAR_REGISTRY"] = registry },
            "LocalSidecar");
        return true;
    }

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Existing(Path.Combine(directory, name)))
            .FirstOrDefault(path => path is not null);

    private static string? Existing(string path) => File.Exists(path) ? path : null;
}
