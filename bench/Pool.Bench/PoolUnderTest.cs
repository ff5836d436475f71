using System.Globalization;
using Gateway.Testing;

namespace Gateway.Pool.Bench;

/// <summary>
/// One SQLite store and <c>replicas</c> PoolService processes, each with its LocalSidecar (shared
/// placement registry), as the AppHost runs them; two backends: <c>open</c> (rpm 1,000,000, model
/// <c>open</c>: every lease is granted and written) and <c>shut</c> (rpm 1, model <c>shut</c>:
/// after the first, every lease is a 503 and nothing is written).
/// </summary>
internal sealed class PoolUnderTest : IAsyncDisposable
{
    private readonly TempFolder _folder;
    private readonly List<IAsyncDisposable> _processes;

    private PoolUnderTest(TempFolder folder, List<IAsyncDisposable> processes, IReadOnlyList<Uri> endpoints, IReadOnlyList<Uri> sidecarEndpoints, IReadOnlyList<int> processIds)
    {
        _folder = folder;
        _processes = processes;
        Endpoints = endpoints;
        SidecarEndpoints = sidecarEndpoints;
        ProcessIds = processIds;
    }

    public IReadOnlyList<Uri> Endpoints { get; }

    /// <summary>The HTTP endpoint of each replica's sidecar.</summary>
    public IReadOnlyList<Uri> SidecarEndpoints { get; }

    /// <summary>Per replica, the process ids of PoolService and of its sidecar.</summary>
    public IReadOnlyList<int> ProcessIds { get; }

    public static async Task<PoolUnderTest> StartAsync(int replicas)
    {
        var folder = new TempFolder("pool-bench");
        var processes = new List<IAsyncDisposable>();
        try
        {
            var components = Directory.CreateDirectory(folder.Combine("components")).FullName;
            await File.WriteAllTextAsync(
                Path.Combine(components, "statestore.yaml"),
                ComponentYaml.StateStore(StateStoreKind.Sqlite, connection: folder.Combine("gateway.db"), actorStateStore: true, metadata: new Dictionary<string, string> { ["busyTimeout"] = "5s" })).ConfigureAwait(false);
            var endpoints = new List<Uri>();
            var sidecarEndpoints = new List<Uri>();
            var processIds = new List<int>();
            for (var i = 0; i < replicas; i++)
            {
                var port = FreePort.Next();
                var sidecarPort = FreePort.Next();
                var sidecarGrpcPort = FreePort.Next();
                var service = TestProcess.StartDotnet(Launchables.PoolService, ["--urls", $"http://127.0.0.1:{port}"], Settings(sidecarPort, sidecarGrpcPort));
                processes.Add(service);
                var endpoint = new Uri($"http://127.0.0.1:{port}");
                await Readiness.WaitAsync(new Uri(endpoint, "/alive"), () => service.HasExited ? service.Output : null).ConfigureAwait(false);
                var sidecar = await SidecarProcess.StartAsync("pool", components, folder.Combine("registry"), port, httpPort: sidecarPort, grpcPort: sidecarGrpcPort).ConfigureAwait(false);
                processes.Add(sidecar);
                sidecarEndpoints.Add(sidecar.HttpEndpoint);
                processIds.AddRange([service.Id, sidecar.Process.Id]);
                await Readiness.WaitAsync(new Uri(endpoint, "/healthz"), () => service.HasExited ? service.Output : null).ConfigureAwait(false);
                endpoints.Add(endpoint);
            }

            // Sidecars re-read the placement registry within a second: let them agree on the hosts.
            await Task.Delay(TimeSpan.FromSeconds(1.5)).ConfigureAwait(false);
            return new PoolUnderTest(folder, processes, endpoints, sidecarEndpoints, processIds);
        }
        catch
        {
            foreach (var process in processes)
            {
                await process.DisposeAsync().ConfigureAwait(false);
            }

            folder.Dispose();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        for (var i = _processes.Count - 1; i >= 0; i--)
        {
            await _processes[i].DisposeAsync().ConfigureAwait(false);
        }

        _folder.Dispose();
    }

    private static Dictionary<string, string?> Settings(int sidecarPort, int sidecarGrpcPort)
    {
        var settings = new Dictionary<string, string?>
        {
            ["DAPR_HTTP_PORT"] = sidecarPort.ToString(CultureInfo.InvariantCulture),
            ["DAPR_GRPC_PORT"] = sidecarGrpcPort.ToString(CultureInfo.InvariantCulture),
            ["APP_ID"] = "pool",
            ["Logging__LogLevel__Default"] = "Warning",
            ["Pool__Probing__Enabled"] = "false",
            ["Pool__Pools__0__Name"] = "primary",
        };
        foreach (var (index, id, rpm) in new[] { (0, "open", 1_000_000), (1, "shut", 1) })
        {
            var prefix = $"Pool__Backends__{index}__";
            settings[prefix + "Id"] = id;
            settings[prefix + "Pool"] = "primary";
            settings[prefix + "BaseUrl"] = "http://127.0.0.1:9/v1";
            settings[prefix + "Models__" + id] = id + "-upstream";
            settings[prefix + "Rpm"] = rpm.ToString(CultureInfo.InvariantCulture);
        }

        return settings;
    }
}
