using System.Net;
using System.Text.Json.Nodes;
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
            // Each sidecar re-reads the placement registry at most a second later: let them agree on the host.
            await Task.Delay(TimeSpan.FromSeconds(1.5));
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
            var active = 0;
            foreach (var process in started)
            {
                using var sidecar = new HttpClient { BaseAddress = process.Sidecar.HttpEndpoint };
                var metadata = JsonNode.Parse(await sidecar.GetStringAsync("/v1.0/metadata"))!;
                active += metadata["actorRuntime"]?["activeActors"]?.AsArray()
                    .Where(a => a!["type"]!.ToString() == "Backend")
                    .Sum(a => a!["count"]!.GetValue<int>()) ?? 0;
            }

            Assert.Equal(1, active);
            foreach (var client in clients)
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
