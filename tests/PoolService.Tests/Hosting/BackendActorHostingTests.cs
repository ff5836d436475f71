using Microsoft.Extensions.Time.Testing;
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
        // The policy clock stands still: the grants stay in the backend's rolling minute however long the test takes.
        await using var stack = await StartAsync("idle", new() { ["Pool:ActorIdleTimeout"] = "00:00:01" }, TestClock.Create());
        using var sidecarHttp = new HttpClient { BaseAddress = stack.Sidecar.HttpEndpoint, Timeout = TimeSpan.FromSeconds(30) };

        var granted = new[] { (await stack.Api.LeaseAsync("m")).Status, (await stack.Api.LeaseAsync("m")).Status };
        var activeAfterGrants = await ActiveBackendsAsync(sidecarHttp);
        var deactivated = await Eventually.TrueAsync(async () => await ActiveBackendsAsync(sidecarHttp) == 0, TimeSpan.FromSeconds(30));
        var third = await stack.Api.LeaseAsync("m");
        var status = (await stack.Api.StatusAsync("idle")).EnsureStatus(HttpStatusCode.OK);

        Assert.Equal([HttpStatusCode.OK, HttpStatusCode.OK], granted);
        Assert.Equal(1, activeAfterGrants);
        Assert.True(deactivated, "the idle Backend actor was not deactivated");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, third.Status);
        Assert.Equal("rpm", third.Json["denials"]![0]!["reason"]!.GetValue<string>());
        Assert.Equal(2, status.Json["grantsInWindow"]!.GetValue<int>());
        Assert.Equal(1, await ActiveBackendsAsync(sidecarHttp));
    }

    [Fact]
    public async Task Calls_WhenTheActorCannotBeReached_StatusIs503StoreUnavailable_AndALeaseIsDeniedAsUnavailable()
    {
        // The registry copy stays fresh for minutes: only the actor calls reach for the missing sidecar.
        await using var stack = await StartAsync("gone", new() { ["Pool:RegistryRefreshInterval"] = "00:05:00" }, null);
        (await stack.Api.StatusAsync("gone")).EnsureStatus(HttpStatusCode.OK);
        await stack.Sidecar.DisposeAsync();

        var status = await stack.Api.StatusAsync("gone");
        var lease = await stack.Api.LeaseAsync("m");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status.Status);
        Assert.Equal("urn:gateway:problem:pool:store-unavailable", status["type"]);
        Assert.Equal(TimeSpan.FromSeconds(1), status.RetryAfter);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, lease.Status);
        Assert.Equal("urn:gateway:problem:pool:all-pools-exhausted", lease["type"]);
        Assert.Equal("unavailable", lease.Json["denials"]![0]!["reason"]!.GetValue<string>());
    }

    public void Dispose() => _folder.Dispose();

    /// <summary>A replica with one backend <paramref name="backendId"/> (rpm 2, model <c>m</c>) beside its own sidecar.</summary>
    private async Task<Stack> StartAsync(string backendId, Dictionary<string, string?> settings, TimeProvider? clock)
    {
        var resources = Directory.CreateDirectory(_folder.Combine("resources")).FullName;
        await File.WriteAllTextAsync(Path.Combine(resources, "statestore.yaml"), ComponentYaml.StateStore(StateStoreKind.Sqlite, "statestore", _folder.Combine("state.db"), actorStateStore: true));
        settings["Pool:Probing:Enabled"] = "false";
        settings["Pool:Pools:0:Name"] = "primary";
        settings["Pool:Backends:0:Id"] = backendId;
        settings["Pool:Backends:0:Pool"] = "primary";
        settings["Pool:Backends:0:BaseUrl"] = "http://127.0.0.1:9/v1";
        settings["Pool:Backends:0:Models:m"] = "m";
        settings["Pool:Backends:0:Rpm"] = "2";
        var (sidecarPort, sidecarGrpcPort) = (FreePort.Next(), FreePort.Next());
        var replica = new PoolReplica(FreePort.Next(), sidecarPort, clock, null, settings, null, sidecarGrpcPort);
        SidecarProcess? sidecar = null;
        try
        {
            replica.StartServer();
            sidecar = await SidecarProcess.StartAsync("pool", resources, _folder.Combine("registry"), replica.Port, httpPort: sidecarPort, grpcPort: sidecarGrpcPort);
            await sidecar.WaitUntilAsync("/v1.0/healthz", TimeSpan.FromSeconds(30));
            await replica.Registry.Seeded.WaitAsync(TimeSpan.FromSeconds(30));
            return new Stack(replica, sidecar, new PoolApi(new HttpClient { BaseAddress = replica.Address, Timeout = TimeSpan.FromSeconds(30) }, null));
        }
        catch
        {
            if (sidecar is not null)
            {
                await sidecar.DisposeAsync();
            }

            await replica.DisposeAsync();
            throw;
        }
    }

    private sealed record Stack(PoolReplica Replica, SidecarProcess Sidecar, PoolApi Api) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync()
        {
            Api.Dispose();
            await Sidecar.DisposeAsync();
            await Replica.DisposeAsync();
        }
    }

    /// <summary>How many Backend actors the sidecar holds active, as its metadata shows.</summary>
    internal static async Task<int> ActiveBackendsAsync(HttpClient sidecar)
    {
        var metadata = JsonNode.Parse(await sidecar.GetStringAsync("/v1.0/metadata"))!;
        return metadata["actorRuntime"]?["activeActors"]?.AsArray()
            .Where(a => a!["type"]!.GetValue<string>() == BackendActor.TypeName)
            .Sum(a => a!["count"]!.GetValue<int>()) ?? 0;
    }
}
