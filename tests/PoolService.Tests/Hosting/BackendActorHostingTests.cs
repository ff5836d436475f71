using System.Net;
using System.Text.Json.Nodes;
using Gateway.PoolService.Services;
using Gateway.PoolService.Tests.Support;
using Gateway.Testing;

namespace Gateway.PoolService.Tests.Hosting;

/// <summary>
/// How PoolService hosts the Backend actor (Dapr.Actors): what it tells its sidecar on
/// <c>/dapr/config</c>, and what the sidecar's idle deactivation does to an actor's decisions.
/// </summary>
public sealed class BackendActorHostingTests : IDisposable
{
    private readonly TempFolder _folder = new("pool-actor-hosting");

    public static TheoryData<string?, string, string> IdleTimeouts => new()
    {
        // Unset: daprd's defaults, sent explicitly.
        { null, "1h0m0s0ms", "0h0m30s0ms" },

        // Shorter than the scan interval: the sidecar looks for idle actors that often.
        { "00:00:05", "0h0m5s0ms", "0h0m5s0ms" },
        { "00:10:00", "0h10m0s0ms", "0h0m30s0ms" },
    };

    [Theory]
    [MemberData(nameof(IdleTimeouts))]
    public async Task DaprConfig_AnnouncesTheBackendType_WithTheIdleTimeoutAndDaprdsOtherDefaults(string? idleTimeout, string expectedIdle, string expectedScan)
    {
        var settings = idleTimeout is null ? [] : new Dictionary<string, string?> { ["Pool:ActorIdleTimeout"] = idleTimeout };
        await using var replica = new PoolReplica(FreePort.Next(), FreePort.Next(), null, null, settings, null);
        replica.StartServer();
        using var http = new HttpClient { BaseAddress = replica.Address };

        var config = JsonNode.Parse(await http.GetStringAsync("/dapr/config"))!;

        Assert.Equal([BackendActor.TypeName], config["entities"]!.AsArray().Select(e => e!.GetValue<string>()));
        Assert.Equal(expectedIdle, config["actorIdleTimeout"]!.GetValue<string>());
        Assert.Equal(expectedScan, config["actorScanInterval"]!.GetValue<string>());
        Assert.Equal("0h1m0s0ms", config["drainOngoingCallTimeout"]!.GetValue<string>());
        Assert.True(config["drainRebalancedActors"]!.GetValue<bool>());
        Assert.False(config["reentrancy"]!["enabled"]!.GetValue<bool>());
        Assert.Null(config["entitiesConfig"]);
    }

    [Fact]
    public async Task Backend_IdleForItsTimeout_IsDeactivated_AndItsNextActivationDecidesFromTheStoredGrants()
    {
        var resources = Directory.CreateDirectory(_folder.Combine("resources")).FullName;
        await File.WriteAllTextAsync(Path.Combine(resources, "statestore.yaml"), ComponentYaml.StateStore(StateStoreKind.Sqlite, "statestore", _folder.Combine("state.db"), actorStateStore: true));
        var (sidecarPort, sidecarGrpcPort) = (FreePort.Next(), FreePort.Next());

        // The policy clock stands still: the grants stay in the backend's rolling minute however long the test takes.
        await using var replica = new PoolReplica(FreePort.Next(), sidecarPort, new ManualTimeProvider(), null, new Dictionary<string, string?>
        {
            ["Pool:ActorIdleTimeout"] = "00:00:01",
            ["Pool:Probing:Enabled"] = "false",
            ["Pool:Pools:0:Name"] = "primary",
            ["Pool:Backends:0:Id"] = "idle",
            ["Pool:Backends:0:Pool"] = "primary",
            ["Pool:Backends:0:BaseUrl"] = "http://127.0.0.1:9/v1",
            ["Pool:Backends:0:Models:m"] = "m",
            ["Pool:Backends:0:Rpm"] = "2",
        }, null, sidecarGrpcPort);
        replica.StartServer();
        await using var sidecar = await SidecarProcess.StartAsync("pool", resources, _folder.Combine("registry"), replica.Port, httpPort: sidecarPort, grpcPort: sidecarGrpcPort);
        await sidecar.WaitUntilAsync("/v1.0/healthz", TimeSpan.FromSeconds(30));
        await replica.Registry.Seeded.WaitAsync(TimeSpan.FromSeconds(30));
        using var api = new PoolApi(new HttpClient { BaseAddress = replica.Address, Timeout = TimeSpan.FromSeconds(30) }, null);
        using var sidecarHttp = new HttpClient { BaseAddress = sidecar.HttpEndpoint, Timeout = TimeSpan.FromSeconds(30) };

        var granted = new[] { (await api.LeaseAsync("m")).Status, (await api.LeaseAsync("m")).Status };
        var activeAfterGrants = await ActiveBackendsAsync(sidecarHttp);
        var deactivated = await Eventually.TrueAsync(async () => await ActiveBackendsAsync(sidecarHttp) == 0, TimeSpan.FromSeconds(30));
        var third = await api.LeaseAsync("m");
        var status = (await api.StatusAsync("idle")).EnsureStatus(HttpStatusCode.OK);

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK], granted);
        Assert.Equal(1, activeAfterGrants);
        Assert.True(deactivated, "the idle Backend actor was not deactivated");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, third.Status);
        Assert.Equal("rpm", third.Json["denials"]![0]!["reason"]!.GetValue<string>());
        Assert.Equal(2, status.Json["grantsInWindow"]!.GetValue<int>());
        Assert.Equal(1, await ActiveBackendsAsync(sidecarHttp));
    }

    public void Dispose() => _folder.Dispose();

    /// <summary>How many Backend actors the sidecar holds active, as its metadata shows.</summary>
    internal static async Task<int> ActiveBackendsAsync(HttpClient sidecar)
    {
        var metadata = JsonNode.Parse(await sidecar.GetStringAsync("/v1.0/metadata"))!;
        return metadata["actorRuntime"]?["activeActors"]?.AsArray()
            .Where(a => a!["type"]!.GetValue<string>() == BackendActor.TypeName)
            .Sum(a => a!["count"]!.GetValue<int>()) ?? 0;
    }
}
