using System.Globalization;
using System.Net;
using Gateway.PoolService.Tests.Support;
using Gateway.Testing;

namespace Gateway.PoolService.Tests.Hosting;

/// <summary>
/// Two replicas over one store: admin edits are conditional writes on one document, and each
/// replica sees the other's once its copy is older than the refresh interval (waited for, not timed).
/// </summary>
public sealed class RegistryAcrossReplicasTests : IAsyncLifetime
{
    private static readonly TimeSpan RefreshInterval = TimeSpan.FromMilliseconds(500);

    // Only bounds a broken run: a copy is read again one refresh interval after it was taken.
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

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
    public async Task AdminEdit_ThroughOneReplica_IsLeasedThroughTheOther_OnceItsCopyIsRefreshed()
    {
        // The second replica now holds a copy of the registry from before the edit.
        Assert.Equal(HttpStatusCode.NotFound, (await _second.LeaseAsync("new-model")).Status);
        await _first.SetUpPoolAsync("edited", 1, "new-model", ("new-backend", 10));

        Answer? lease = null;
        var leased = await Eventually.TrueAsync(async () => (lease = await _second.LeaseAsync("new-model")).Status != HttpStatusCode.NotFound, Deadline);

        Assert.True(leased, "the second replica never saw the edit");
        Assert.Equal(HttpStatusCode.OK, lease!.Status);
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
        List<string>? first = null, second = null;
        await Eventually.TrueAsync(async () => (first = await PoolBackendsAsync(_first, "race")).Count == racers.Count, Deadline);
        await Eventually.TrueAsync(async () => (second = await PoolBackendsAsync(_second, "race")).Count == racers.Count, Deadline);
        Assert.Equal(racers, first);
        Assert.Equal(racers, second);
    }

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
