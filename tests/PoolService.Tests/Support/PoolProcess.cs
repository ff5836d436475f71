using System.Globalization;
using Gateway.Testing;

namespace Gateway.PoolService.Tests.Support;

/// <summary>
/// A PoolService replica as its own process (as the AppHost or a deployment runs it) with its
/// own LocalSidecar: started service first, so the sidecar finds the actor types at once.
/// </summary>
public sealed class PoolProcess : IAsyncDisposable
{
    private PoolProcess(TestProcess service, SidecarProcess sidecar, int port)
    {
        Service = service;
        Sidecar = sidecar;
        Address = new Uri($"http://127.0.0.1:{port}");
    }

    public TestProcess Service { get; }

    public SidecarProcess Sidecar { get; }

    public Uri Address { get; }

    public static async Task<PoolProcess> StartAsync(string resourcesPath, string registryPath, IReadOnlyDictionary<string, string?> settings)
    {
        var port = FreePort.Next();
        var sidecarPort = FreePort.Next();
        var sidecarGrpcPort = FreePort.Next();
        var environment = new Dictionary<string, string?>(settings)
        {
            ["DAPR_HTTP_PORT"] = sidecarPort.ToString(CultureInfo.InvariantCulture),
            ["DAPR_GRPC_PORT"] = sidecarGrpcPort.ToString(CultureInfo.InvariantCulture),
            ["APP_ID"] = "pool",
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Logging__LogLevel__Default"] = "Warning",
        };
        var service = TestProcess.StartDotnet(Launchables.PoolService, ["--urls", $"http://127.0.0.1:{port}"], environment);
        try
        {
            var address = new Uri($"http://127.0.0.1:{port}");
            await Readiness.WaitAsync(new Uri(address, "/alive"), () => service.HasExited ? service.Output : null);
            var sidecar = await SidecarProcess.StartAsync("pool", resourcesPath, registryPath, port, httpPort: sidecarPort, grpcPort: sidecarGrpcPort);
            await Readiness.WaitAsync(new Uri(address, "/healthz"), () => service.HasExited ? service.Output : null);
            return new PoolProcess(service, sidecar, port);
        }
        catch
        {
            await service.DisposeAsync();
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Sidecar.DisposeAsync();
        await Service.DisposeAsync();
    }
}
