using System.Net;
using Gateway.PoolService.Tests.Support;
using Gateway.Testing;

namespace Gateway.PoolService.Tests.Hosting;

/// <summary>The probing loop on its own, with the system clock: no test calls the prober.</summary>
public sealed class ProbeLoopTests : IDisposable
{
    private readonly TempFolder _folder = new("pool-probe-loop");

    [Fact]
    public async Task HealthProber_ProbesEachBackendOnItsInterval_AndAFailingOneTurnsUnhealthy()
    {
        await using var upstream = await FakeBackend.StartAsync();
        upstream.Status = HttpStatusCode.InternalServerError;
        var resources = Directory.CreateDirectory(_folder.Combine("resources")).FullName;
        await File.WriteAllTextAsync(Path.Combine(resources, "statestore.yaml"), ComponentYaml.StateStore(StateStoreKind.Sqlite, "statestore", _folder.Combine("state.db"), actorStateStore: true));
        var sidecarPort = FreePort.Next();
        var sidecarGrpcPort = FreePort.Next();
        await using var replica = new PoolReplica(FreePort.Next(), sidecarPort, null, null, new Dictionary<string, string?>
        {
            ["Pool:Policy:UnhealthyAfterProbeFailures"] = "2",
            ["Pool:Pools:0:Name"] = "primary",
            ["Pool:Backends:0:Id"] = "probed",
            ["Pool:Backends:0:Pool"] = "primary",
            ["Pool:Backends:0:BaseUrl"] = upstream.BaseUrl,
            ["Pool:Backends:0:Models:m"] = "m",
            ["Pool:Backends:0:Rpm"] = "10",
            ["Pool:Backends:0:HealthPath"] = "/health",
            ["Pool:Backends:0:HealthIntervalSeconds"] = "1",
        }, null, sidecarGrpcPort);
        replica.StartServer();
        await using var sidecar = await SidecarProcess.StartAsync("pool", resources, _folder.Combine("registry"), replica.Port, httpPort: sidecarPort, grpcPort: sidecarGrpcPort);
        using var api = new PoolApi(new HttpClient { BaseAddress = replica.Address }, null);

        string? state = null;
        await Eventually.TrueAsync(
            async () =>
            {
                var status = await api.StatusAsync("probed");
                state = status.Status == HttpStatusCode.OK ? status["state"] : null;
                return state == "unhealthy";
            },
            TimeSpan.FromSeconds(20));

        Assert.Equal("unhealthy", state);
        Assert.InRange(upstream.Probes, 2, 20);
    }

    public void Dispose() => _folder.Dispose();
}
