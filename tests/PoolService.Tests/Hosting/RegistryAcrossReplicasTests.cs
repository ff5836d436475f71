using System.Diagnostics;
using System.Net;
using Gateway.PoolService.Tests.Support;
using Gateway.Testing;

namespace Gateway.PoolService.Tests.Hosting;

/// <summary>Two replicas over one store: admin edits are conditional writes on one document, and each replica sees the other's within its refresh interval.</summary>
public sealed class RegistryAcrossReplicasTests : IAsyncLifetime
{
    private readonly TempFolder _folder = new("pool-registry-replicas");
    private readonly List<IAsyncDisposable> _owned = [];
    private PoolApi _first = null!;
    private PoolApi _second = null!;

    public async Task InitializeAsync()
    {
        var resources = Directory.CreateDirectory(_folder.Combine("resources")).FullName;
        await File.WriteAllTextAsync(Path.Combine(resources, "statestore.yaml"), ComponentYaml.StateStore(StateStoreKind.Sqlite, "statestore", _folder.Combine("state.db"), actorStateStore: true));
        _first = await StartReplicaAsync(resources);
        _second = await StartReplicaAsync(resources);
    }

    public async Task DisposeAsync()
    {
        _first?.Dispose();
        _second?.Dispose();
        for (var i = _owned.Count - 1; i >= 0; i--)
        {
            await _owned[i].DisposeAsync();
        }

        _folder.Dispose();
    }

    [Fact]
    public async Task AdminEdit_ThroughOneReplica_IsLeasedThroughTheOther_WithinTheRefreshInterval()
    {
        await _second.LeaseAsync("warm-up"); // the second replica holds a copy of the registry from before the edit
        var watch = Stopwatch.StartNew();
        await _first.SetUpPoolAsync("edited", 1, "new-model", ("new-backend", 10));

        Answer lease;
        do
        {
            await Task.Delay(50);
            lease = await _second.LeaseAsync("new-model");
        }
        while (lease.Status == HttpStatusCode.NotFound && watch.Elapsed < TimeSpan.FromSeconds(5));

        Assert.Equal(HttpStatusCode.OK, lease.Status);
        Assert.Equal("new-backend", lease["backendId"]);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(3), $"seen after {watch.Elapsed}"); // 0.5 s refresh, with room for a busy machine
    }

    [Fact]
    public async Task AdminEdits_ConcurrentThroughBothReplicas_AreAllStored()
    {
        (await _first.PutPoolAsync("race", 5)).EnsureStatus(HttpStatusCode.Created);

        var answers = await Task.WhenAll(Enumerable.Range(0, 16).Select(i =>
            (i % 2 == 0 ? _first : _second).PutBackendAsync($"racer-{i}", PoolApi.Backend("race", $"model-{i}", 10))));
        var pool = (await _second.SendAsync(HttpMethod.Get, "/admin/pools/race", null)).EnsureStatus(HttpStatusCode.OK);

        Assert.All(answers, a => a.EnsureStatus(HttpStatusCode.Created));
        Assert.Equal(16, pool.Json["backends"]!.AsArray().Count);
    }

    private async Task<PoolApi> StartReplicaAsync(string resources)
    {
        var sidecarPort = FreePort.Next();
        var replica = new PoolReplica(FreePort.Next(), sidecarPort, null, null, new Dictionary<string, string?>
        {
            ["Pool:AdminToken"] = PoolFixture.AdminToken,
            ["Pool:EncryptionKey"] = PoolFixture.EncryptionKey,
            ["Pool:Probing:Enabled"] = "false",
            ["Pool:RegistryRefreshInterval"] = "00:00:00.500",
        }, null);
        _owned.Add(replica);
        replica.StartServer();
        var sidecar = await SidecarProcess.StartAsync("pool", resources, _folder.Combine("registry"), replica.Port, httpPort: sidecarPort);
        _owned.Add(sidecar);
        await sidecar.WaitUntilAsync("/v1.0/healthz", TimeSpan.FromSeconds(30));
        await replica.Registry.Seeded.WaitAsync(TimeSpan.FromSeconds(30));
        return new PoolApi(new HttpClient { BaseAddress = replica.Address, Timeout = TimeSpan.FromSeconds(30) }, PoolFixture.AdminToken);
    }
}
