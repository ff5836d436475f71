using System.Net;
using System.Text.Json;
using Dapr.Actors;
using Dapr.Actors.Client;
using Gateway.PoolService.Model;
using Gateway.PoolService.Services;
using Gateway.PoolService.Tests.Support;
using Gateway.Testing;

namespace Gateway.PoolService.Tests.Hosting;

/// <summary>
/// The RPM limit of a backend holds however many PoolService replicas hand out leases, because
/// one Backend actor, hosted by one replica at a time and run one call at a time, decides them
/// all. Replicas are real processes with their own LocalSidecar, sharing the sidecar registry
/// folder (placement) and one SQLite store.
/// </summary>
public sealed class RpmAcrossReplicasTests : IDisposable
{
    private const int Rpm = 60;
    private const int Requests = 200;
    private readonly TempFolder _folder = new("pool-replicas");

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task Acquire_200ConcurrentLeasesOnABackendWithRpm60_GrantExactly60_WithAnyNumberOfReplicas(int replicas)
    {
        var resources = Directory.CreateDirectory(_folder.Combine($"resources-{replicas}")).FullName;
        await File.WriteAllTextAsync(
            Path.Combine(resources, "statestore.yaml"),
            ComponentYaml.StateStore(StateStoreKind.Sqlite, "statestore", _folder.Combine($"state-{replicas}.db"), actorStateStore: true));
        var registry = Directory.CreateDirectory(_folder.Combine($"registry-{replicas}")).FullName;
        var started = await Task.WhenAll(Enumerable.Range(0, replicas).Select(_ => PoolProcess.StartAsync(resources, registry, Settings())));
        try
        {
            var sidecars = started.Select(p => new HttpClient { BaseAddress = p.Sidecar.HttpEndpoint, Timeout = TimeSpan.FromSeconds(30) }).ToArray();
            await WaitForPlacementAgreementAsync(started, sidecars);
            var activeBefore = await ActiveAsync(sidecars);
            var clients = started.Select(p => new HttpClient { BaseAddress = p.Address, Timeout = TimeSpan.FromSeconds(60) }).ToArray();

            var answers = await Task.WhenAll(Enumerable.Range(0, Requests).Select(async i =>
            {
                using var response = await clients[i % replicas].PostAsync("/leases", new StringContent("""{"model":"m"}""", System.Text.Encoding.UTF8, "application/json"));
                return (Replica: i % replicas, response.StatusCode);
            }));

            Assert.Equal(Rpm, answers.Count(a => a.StatusCode == HttpStatusCode.OK));
            Assert.Equal(Requests - Rpm, answers.Count(a => a.StatusCode == HttpStatusCode.ServiceUnavailable));
            Assert.All(Enumerable.Range(0, replicas), r => Assert.Equal(Requests / replicas, answers.Count(a => a.Replica == r)));

            // One actor decided all of them: it is active on exactly one of the sidecars.
            Assert.Equal(1, await ActiveAsync(sidecars) - activeBefore);
            foreach (var client in clients.Concat(sidecars))
            {
                client.Dispose();
            }
        }
        finally
        {
            await Task.WhenAll(started.Select(p => p.DisposeAsync().AsTask()));
        }
    }

    public void Dispose() => _folder.Dispose();

    /// <summary>
    /// Waits until the replicas' sidecars agree on where Backend actors live. A sidecar reads the
    /// registry of hosts again at most a second after another host joins; until then two sidecars
    /// could each activate the same id. Agreement is seen from outside: fresh probe ids, each asked
    /// for its status once through every sidecar, are then active on exactly one sidecar each, and
    /// some on every sidecar (16 ids all hashed to one of two hosts: 1 in 32,768).
    /// </summary>
    private static async Task WaitForPlacementAgreementAsync(PoolProcess[] replicas, HttpClient[] sidecars)
    {
        if (replicas.Length == 1)
        {
            return;
        }

        var proxies = replicas.Select(r => new ActorProxyFactory(new ActorProxyOptions
        {
            HttpEndpoint = r.Sidecar.HttpEndpoint.AbsoluteUri.TrimEnd('/'),
            JsonSerializerOptions = new JsonSerializerOptions(JsonSerializerDefaults.Web),
            UseJsonSerialization = true,
        })).ToArray();
        var agreed = await Eventually.TrueAsync(
            async () =>
            {
                var before = await Task.WhenAll(sidecars.Select(BackendActorHostingTests.ActiveBackendsAsync));
                var ids = Enumerable.Range(0, 16).Select(_ => $"placement-probe-{Guid.NewGuid():N}").ToArray();
                foreach (var id in ids)
                {
                    foreach (var factory in proxies)
                    {
                        _ = await factory.CreateActorProxy<IBackendActor>(new ActorId(id), BackendActor.TypeName).GetStatusAsync(new BackendLimits(1, true, null), CancellationToken.None);
                    }
                }

                var added = (await Task.WhenAll(sidecars.Select(BackendActorHostingTests.ActiveBackendsAsync))).Zip(before, (after, was) => after - was).ToArray();
                return added.Sum() == ids.Length && added.All(a => a > 0);
            },
            TimeSpan.FromSeconds(30));
        Assert.True(agreed, "the sidecars did not agree on where Backend actors live");
    }

    private static async Task<int> ActiveAsync(IEnumerable<HttpClient> sidecars) =>
        (await Task.WhenAll(sidecars.Select(BackendActorHostingTests.ActiveBackendsAsync))).Sum();

    private static Dictionary<string, string?> Settings() => new()
    {
        ["Pool__Probing__Enabled"] = "false",
        ["Pool__Pools__0__Name"] = "primary",
        ["Pool__Backends__0__Id"] = "rpm60",
        ["Pool__Backends__0__Pool"] = "primary",
        ["Pool__Backends__0__BaseUrl"] = "http://127.0.0.1:9/v1",
        ["Pool__Backends__0__Models__m"] = "m-upstream",
        ["Pool__Backends__0__Rpm"] = Rpm.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
