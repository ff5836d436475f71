using System.Reflection;

namespace Gateway.Testing;

/// <summary>Paths of the built programs tests start as processes (see Directory.Build.targets).</summary>
public static class Launchables
{
    private static readonly Dictionary<string, string> Metadata = typeof(Launchables).Assembly
        .GetCustomAttributes<AssemblyMetadataAttribute>()
        .ToDictionary(a => a.Key, a => a.Value ?? "", StringComparer.Ordinal);

    public static string LocalSidecar => Path("LocalSidecar");

    public static string AppHost => Path("AppHost");

    public static string ProxyService => Path("ProxyService");

    public static string BillingService => Path("BillingService");

    public static string PoolService => Path("PoolService");

    public static string FakeTaskProvider => Path("FakeTaskProvider");

    public static string FakeOpenAiBackend => Path("FakeOpenAiBackend");

    /// <summary>The repository root, e.g. to find <c>components/</c>.</summary>
    public static string RepositoryRoot => Metadata["repository-root"];

    public static string Path(string project) =>
        Metadata.TryGetValue("launchable:" + project, out var path)
            ? path
            : throw new InvalidOperationException($"{project} is not a launchable project reference of Gateway.Testing");
}
