using System.Reflection;

namespace Gateway.AppHost.Resources;

/// <summary>
/// Build outputs of the projects the AppHost starts, recorded at build time as
/// <c>[assembly: AssemblyMetadata("launchable:{Project}", "{dll}")]</c> by Directory.Build.targets.
/// </summary>
internal sealed class LaunchableProjects
{
    private const string Prefix = "launchable:";
    private readonly Dictionary<string, string> _paths;

    private LaunchableProjects(Dictionary<string, string> paths, string repositoryRoot)
    {
        _paths = paths;
        RepositoryRoot = repositoryRoot;
    }

    public string RepositoryRoot { get; }

    public static LaunchableProjects FromAssembly(Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var metadata = assembly.GetCustomAttributes<AssemblyMetadataAttribute>().ToList();
        var paths = metadata
            .Where(a => a.Key.StartsWith(Prefix, StringComparison.Ordinal) && a.Value is not null)
            .ToDictionary(a => a.Key[Prefix.Length..], a => a.Value!, StringComparer.Ordinal);
        var root = metadata.FirstOrDefault(a => a.Key == "repository-root")?.Value
            ?? throw new InvalidOperationException("The AppHost was built without the repository-root metadata (see Directory.Build.targets).");
        return new LaunchableProjects(paths, Path.GetFullPath(root));
    }

    /// <summary>Finds the built dll of a project, or explains why it cannot be started.</summary>
    public bool TryGetAssembly(string project, out string path, out string error)
    {
        error = "";
        if (!_paths.TryGetValue(project, out path!))
        {
            error = $"AppHost.csproj has no Launchable ProjectReference to '{project}'.";
            return false;
        }

        if (!File.Exists(path))
        {
            error = $"{project} is not built: {path} does not exist. Build it with 'dotnet build AppHost'.";
            return false;
        }

        return true;
    }
}
