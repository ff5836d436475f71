using System.Globalization;
using System.Net;
using Gateway.PoolService.Tests.Support;
using Gateway.Testing;

namespace Gateway.PoolService.Tests.Hosting;

/// <summary>Two replicas over one store: admin edits are conditional writes on one document, and each replica sees the other's within its refresh interval.</summary>
public sealed class RegistryAcrossReplicasTests : IAsyncLifetime
{
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(500);

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
        // The second replica now holds a copy of the registry from before the edit.
        Assert.Equal(HttpStatusCode.NotFound, (await _second.LeaseAsync("new-model")).Status);
        await _first.SetUpPoolAsync("edited", 1, "new-model", ("new-backend", 10));

        await WaitOutRefreshIntervalAsync();
        var lease = await _second.LeaseAsync("new-model");

        Assert.Equal(HttpStatusCode.OK, lease.Status);
        Assert.Equal("new-backend", lease["backendId"]);
    }

    [Fact]
    public async Task AdminEdits_ConcurrentThroughBothReplicas_AreAllStored()
    {
        (await _first.PutPoolAsync("race", 5)).EnsureStatus(HttpStatusCode.Created);

        var racers = Enumerable.Range(0, 16).Select(i => $"racer-{i}").Order(StringComparer.Ordinal).ToList();

        var answers = await Task.WhenAll(racers.Select((id, i) =>
            (i % 2 == 0 ? _first : _second).PutBackendAsync(id, PoolApi.Backend("race", $"model-{i}", 10))));

        Assert.All(answers, a => a.EnsureStatus(HttpStatusCode.Created));

        // Each replica may answer from its copy for one refresh interval (the copy published by its own
        // last write lacks the other's later ones); after that it reads the store, which must hold all.
        await WaitOutRefreshIntervalAsync();
        Assert.Equal(racers, await PoolBackendsAsync(_first, "race"));
        Assert.Equal(racers, await PoolBackendsAsync(_second, "race"));
    }

    /// <summary>
    /// Lets every copy held so far age past the refresh interval, so the next read through either
    /// replica reads the store. Waiting out the promise, rather than timing how soon an edit shows,
    /// keeps a busy machine from failing the test: a late timer only makes the copies older.
    /// </summary>
    private static Task WaitOutRefreshIntervalAsync() => Task.Delay(RefreshInterval + TimeSpan.FromMilliseconds(100));

    private static async Task<List<string>> PoolBackendsAsync(PoolApi replica, string pool)
    {
        var answer = (await replica.SendAsync(HttpMethod.Get, $"/admin/pools/{pool}", null)).EnsureStatus(HttpStatusCode.OK);
        return [.. answer.Json["backends"]!.AsArray().Select(b => b!.GetValue<string>())];
    }

    private async Task<PoolApi> StartReplicaAsync(string resources)
    {
        var sidecarPort = FreePort.Next();
        var sidecarGrpcPort = FreePort.Next();
        var replica = new PoolReplica(FreePort.Next(), sidecarPort, null, null, new Dictionary<string, string?>
        {
            ["Pool:AdminToken"] = PoolFixture.AdminToken,
            ["Pool:EncryptionKey"] = PoolFixture.EncryptionKey,
            ["Pool:Probing:Enabled"] = "false",
            ["Pool:RegistryRefreshInterval"] = RefreshInterval.ToString("c", CultureInfo.InvariantCulture),
        }, null, sidecarGrpcPort);
        _owned.Add(replica);
        replica.StartServer();
        var sidecar = await SidecarProcess.StartAsync("pool", resources, _folder.Combine("registry"), replica.Port, httpPort: sidecarPort, grpcPort: sidecarGrpcPort);
        _owned.Add(sidecar);
        await sidecar.WaitUntilAsync("/v1.0/healthz", TimeSpan.FromSeconds(30));
        await replica.Registry.Seeded.WaitAsync(TimeSpan.FromSeconds(30));
        return new PoolApi(new HttpClient { BaseAddress = replica.Address, Timeout = TimeSpan.FromSeconds(30) }, PoolFixture.AdminToken);
    }
}
