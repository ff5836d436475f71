using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Gateway.Testing;

namespace Gateway.LocalSidecar.Tests.Hosting;

/// <summary>Several sidecars on one machine: shared stores, name resolution, readiness.</summary>
public sealed class SidecarTopologyTests : IDisposable
{
    private readonly TempFolder _folder = new("sidecar-topology");

    private string Registry => _folder.Combine("registry");

    private string SqliteComponents(IReadOnlyDictionary<string, string>? metadata = null, string name = "statestore")
    {
        var folder = Directory.CreateDirectory(_folder.Combine("components-" + name)).FullName;
        File.WriteAllText(Path.Combine(folder, "state.yaml"), ComponentYaml.StateStore(StateStoreKind.Sqlite, name, _folder.Combine("shared.db"), metadata: metadata));
        return folder;
    }

    [Fact]
    public async Task KeyPrefix_Default_IsolatesApps_AndName_SharesTheirKeys()
    {
        var isolated = SqliteComponents();
        var shared = SqliteComponents(new Dictionary<string, string> { ["keyPrefix"] = "name" }, "sharedstore");
        await using var billing = await SidecarProcess.StartAsync("billing", isolated, Registry);
        await using var proxy = await SidecarProcess.StartAsync("proxy", isolated, Registry);
        await using var billingShared = await SidecarProcess.StartAsync("billing", shared, _folder.Combine("registry2"));
        await using var proxyShared = await SidecarProcess.StartAsync("proxy", shared, _folder.Combine("registry2"));

        await SaveAsync(billing, "statestore", "k", "billing's");
        await SaveAsync(billingShared, "sharedstore", "k", "everyone's");

        Assert.Null(await GetAsync(proxy, "statestore", "k"));
        Assert.Equal("billing's", await GetAsync(billing, "statestore", "k"));
        Assert.Equal("everyone's", await GetAsync(proxyShared, "sharedstore", "k"));
    }

    [Fact]
    public async Task ComponentTtlInSeconds_AppliesToWritesWithoutTheirOwnTtl()
    {
        var components = SqliteComponents(new Dictionary<string, string> { ["ttlInSeconds"] = "1" });
        await using var sidecar = await SidecarProcess.StartAsync("ttl", components, Registry);
        await SaveAsync(sidecar, "statestore", "k", "v");
        Assert.Equal("v", await GetAsync(sidecar, "statestore", "k"));

        await Task.Delay(TimeSpan.FromSeconds(2.2));

        Assert.Null(await GetAsync(sidecar, "statestore", "k"));
    }

    [Fact]
    public async Task Healthz_IsNotReadyUntilTheAppListens_WhileOutboundIsReady()
    {
        var appPort = FreePort.Next();
        await using var sidecar = await SidecarProcess.StartAsync("waiting", SqliteComponents(), Registry, appPort);
        using var client = new HttpClient { BaseAddress = sidecar.HttpEndpoint };

        using var before = await client.GetAsync("/v1.0/healthz");
        using var outbound = await client.GetAsync("/v1.0/healthz/outbound");
        await using var app = await EchoApp.StartAsync(appPort);
        await sidecar.WaitUntilAsync("/v1.0/healthz", TimeSpan.FromSeconds(10));

        Assert.Equal(HttpStatusCode.InternalServerError, before.StatusCode);
        Assert.Contains("ERR_HEALTH_NOT_READY", await before.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NoContent, outbound.StatusCode);
    }

    [Fact]
    public async Task Invocation_FindsAnAppStartedAfterTheCaller_AndForgetsOneThatDied()
    {
        var components = SqliteComponents();
        await using var caller = await SidecarProcess.StartAsync("caller", components, Registry);
        using var client = new HttpClient { BaseAddress = caller.HttpEndpoint };
        using var early = await client.GetAsync("/v1.0/invoke/late/method/echo/x");

        await using var app = await EchoApp.StartAsync();
        var late = await SidecarProcess.StartAsync("late", components, Registry, app.Port);
        await late.WaitUntilAsync("/v1.0/healthz", TimeSpan.FromSeconds(10));
        using var found = await client.GetAsync("/v1.0/invoke/late/method/echo/x");

        late.Process.Signal(9);
        await late.Process.WaitForExitAsync(TimeSpan.FromSeconds(10));
        await late.DisposeAsync();
        using var gone = await client.GetAsync("/v1.0/invoke/late/method/echo/x");

        Assert.Equal(HttpStatusCode.InternalServerError, early.StatusCode);
        Assert.Equal(HttpStatusCode.OK, found.StatusCode);
        Assert.Equal(HttpStatusCode.InternalServerError, gone.StatusCode);
        Assert.Contains("ERR_DIRECT_INVOKE", await gone.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Stop_RemovesTheSidecarsAnnouncement()
    {
        var sidecar = await SidecarProcess.StartAsync("leaving", SqliteComponents(), Registry);
        var folder = Path.Combine(Registry, "leaving");
        Assert.Single(Directory.GetFiles(folder));

        sidecar.Process.Signal(15);
        Assert.Equal(0, await sidecar.Process.WaitForExitAsync(TimeSpan.FromSeconds(20)));
        await sidecar.DisposeAsync();

        Assert.Empty(Directory.GetFiles(folder));
    }

    [Fact]
    public async Task Invocation_SpreadsCallsOverReplicasOfAnApp()
    {
        var components = SqliteComponents();
        await using var first = await EchoApp.StartAsync();
        await using var second = await EchoApp.StartAsync();
        await using var replicaA = await SidecarProcess.StartAsync("replicated", components, Registry, first.Port);
        await using var replicaB = await SidecarProcess.StartAsync("replicated", components, Registry, second.Port);
        await using var caller = await SidecarProcess.StartAsync("caller", components, Registry);
        using var client = new HttpClient { BaseAddress = caller.HttpEndpoint };

        var hosts = new HashSet<string>();
        for (var i = 0; i < 6; i++)
        {
            using var response = await client.GetAsync("/v1.0/invoke/replicated/method/echo/x");
            var echo = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            hosts.Add(echo["headers"]!["host"]!.GetValue<string>());
        }

        Assert.Equal(2, hosts.Count);
    }

    private static async Task SaveAsync(SidecarProcess sidecar, string store, string key, string value)
    {
        using var client = new HttpClient { BaseAddress = sidecar.HttpEndpoint };
        using var response = await client.PostAsync($"/v1.0/state/{store}", new StringContent(new JsonArray(new JsonObject { ["key"] = key, ["value"] = value }).ToJsonString()));
        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
    }

    private static async Task<string?> GetAsync(SidecarProcess sidecar, string store, string key)
    {
        using var client = new HttpClient { BaseAddress = sidecar.HttpEndpoint };
        using var response = await client.GetAsync($"/v1.0/state/{store}/{key}");
        return response.StatusCode == HttpStatusCode.NoContent ? null : JsonNode.Parse(await response.Content.ReadAsStringAsync())!.GetValue<string>();
    }

    public void Dispose() => _folder.Dispose();
}
