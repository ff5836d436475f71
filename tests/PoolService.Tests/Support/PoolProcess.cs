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
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(2) };
            await WaitAsync(client, "/alive", service);
            var sidecar = await SidecarProcess.StartAsync("pool", resourcesPath, registryPath, port, httpPort: sidecarPort, grpcPort: sidecarGrpcPort);
            await WaitAsync(client, "/healthz", service);
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

    private static async Task WaitAsync(HttpClient client, string path, TestProcess service)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                using var answer = await client.GetAsync(path);
                if (answer.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet.
            }

            if (service.HasExited || DateTime.UtcNow > deadline)
            {
                throw new InvalidOperationException($"PoolService did not answer {path}:\n{service.Output}");
            }

            await Task.Delay(100);
        }
    }
}
