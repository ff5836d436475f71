using System.Runtime.InteropServices;

namespace Gateway.AppHost.Processes;

/// <summary>Finds the programs the AppHost runs its children with.</summary>
internal static class Executables
{
    private static readonly string Suffix = OperatingSystem.IsWindows() ? ".exe" : "";

    /// <summary>
    /// The <c>dotnet</c> host that runs this process, so children use the same runtime. Under
    /// <c>dotnet run</c> this process is the native AppHost executable, not <c>dotnet</c>, hence the
    /// fallbacks: the SDK's DOTNET_HOST_PATH, then the root above the running shared runtime.
    /// </summary>
    public static string Dotnet()
    {
        var self = Environment.ProcessPath;
        if (self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet")
        {
            return self;
        }

        if (Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } hostPath && File.Exists(hostPath))
        {
            return hostPath;
        }

        // {root}/shared/Microsoft.NETCore.App/{version}/
        var runtimeDirectory = RuntimeEnvironment.GetRuntimeDirectory();
        var fromRuntime = Path.GetFullPath(Path.Combine(runtimeDirectory, "..", "..", "..", "dotnet" + Suffix));
        return File.Exists(fromRuntime) ? fromRuntime : "dotnet" + Suffix;
    }

    /// <summary>The real daprd, from PATH or where <c>dapr init</c> installs it (~/.dapr/bin).</summary>
    public static string? FindDaprd()
    {
        var name = "daprd" + Suffix;
        var directories = (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Append(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".dapr", "bin"));
        return directories.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
    }
}
