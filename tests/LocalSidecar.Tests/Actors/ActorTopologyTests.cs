using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Gateway.Testing;

namespace Gateway.LocalSidecar.Tests.Actors;

/// <summary>Reentrancy, several replicas of a hosting app, and the actor key layout.</summary>
public sealed class ActorTopologyTests : IDisposable
{
    private readonly TempFolder _folder = new("actor-topology");

    private static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Reentrancy_WhenEnabled_ANestedCallIntoTheSameActorJoinsItsTurn_UpToTheDepthLimit()
    {
        await using var host = await ActorHost.StartAsync("""{"entities":["Counter"],"reentrancy":{"enabled":true,"maxStackDepth":4}}""");
        var id = "reentrant";

        using var nested = await host.Client.PutAsync($"/v1.0/actors/Counter/{id}/method/call", Json(Chain(id, depth: 2)));
        using var tooDeep = await host.Client.PutAsync($"/v1.0/actors/Counter/{id}/method/call", Json(Chain(id, depth: 6)));

        Assert.Equal(HttpStatusCode.OK, nested.StatusCode);
        var answer = JsonNode.Parse(await nested.Content.ReadAsStringAsync())!;
        Assert.Equal(200, answer["status"]!.GetValue<int>());
        Assert.All(host.App.Calls.Where(c => c.Id == id), c => Assert.False(string.IsNullOrEmpty(c.Headers.GetValueOrDefault("dapr-reentrancy-id"))));
        Assert.Contains("ERR_ACTOR_STACK_DEPTH", await tooDeep.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Replicas_EveryCallForOneActorLandsOnOneHost_AndIdsSpreadOverHosts()
    {
        var components = Directory.CreateDirectory(_folder.Combine("components")).FullName;
        await File.WriteAllTextAsync(Path.Combine(components, "statestore.yaml"), ComponentYaml.StateStore(StateStoreKind.Sqlite, connection: _folder.Combine("state.db"), actorStateStore: true));
        var registry = _folder.Combine("registry");
        await using var first = await FakeActorApp.StartAsync(ActorHost.DefaultConfig);
        await using var second = await FakeActorApp.StartAsync(ActorHost.DefaultConfig);
        await using var firstSidecar = await SidecarProcess.StartAsync("replicas", components, registry, first.Port);
        await using var secondSidecar = await SidecarProcess.StartAsync("replicas", components, registry, second.Port);
        await firstSidecar.WaitUntilAsync("/v1.0/healthz", TimeSpan.FromSeconds(30));
        await secondSidecar.WaitUntilAsync("/v1.0/healthz", TimeSpan.FromSeconds(30));
        await using var caller = await SidecarProcess.StartAsync("caller", components, registry);
        using var callerClient = new HttpClient { BaseAddress = caller.HttpEndpoint };
        using var firstClient = new HttpClient { BaseAddress = firstSidecar.HttpEndpoint };
        await Task.Delay(1100); // let every sidecar's registry view include both hosts

        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < 12; i++)
            {
                var client = round == 1 ? firstClient : callerClient;
                using var response = await client.PutAsync($"/v1.0/actors/Counter/id{i}/method/echo", Json("{}"));
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            }
        }

        for (var i = 0; i < 12; i++)
        {
            var onFirst = first.CallsTo("echo", $"id{i}").Count;
            var onSecond = second.CallsTo("echo", $"id{i}").Count;
            Assert.True((onFirst, onSecond) is (3, 0) or (0, 3), $"id{i} landed on both hosts ({onFirst}/{onSecond})");
        }

        Assert.NotEmpty(first.CallsTo("echo"));
        Assert.NotEmpty(second.CallsTo("echo"));
    }

    [Fact]
    public async Task ActorState_IgnoresTheStoresKeyPrefix()
    {
        var components = Directory.CreateDirectory(_folder.Combine("prefixed")).FullName;
        var database = _folder.Combine("prefixed.db");
        await File.WriteAllTextAsync(Path.Combine(components, "statestore.yaml"), ComponentYaml.StateStore(StateStoreKind.Sqlite, connection: database, actorStateStore: true, metadata: new Dictionary<string, string> { ["keyPrefix"] = "name" }));
        await using var app = await FakeActorApp.StartAsync(ActorHost.DefaultConfig);
        await using var sidecar = await SidecarProcess.StartAsync("prefixed", components, _folder.Combine("registry"), app.Port);
        await sidecar.WaitUntilAsync("/v1.0/healthz", TimeSpan.FromSeconds(30));
        app.SidecarPort = sidecar.HttpPort;
        using var client = new HttpClient { BaseAddress = sidecar.HttpEndpoint };

        using var response = await client.PutAsync("/v1.0/actors/Counter/c1/method/increment", Json("{}"));
        using var plain = await client.PostAsync("/v1.0/state/statestore", Json("""[{"key":"plain","value":1}]"""));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var keys = StoredKeys(database);
        Assert.Contains("prefixed||Counter||c1||count", keys);
        Assert.Contains("statestore||plain", keys);
    }

    private static string Chain(string id, int depth)
    {
        JsonNode call = new JsonObject { ["type"] = "Counter", ["id"] = id, ["method"] = "echo", ["body"] = new JsonObject() };
        for (var i = 1; i < depth; i++)
        {
            call = new JsonObject { ["type"] = "Counter", ["id"] = id, ["method"] = "call", ["body"] = call };
        }

        return call.ToJsonString();
    }

    private static List<string> StoredKeys(string database)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={database};Mode=ReadOnly;Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT key FROM state";
        using var reader = command.ExecuteReader();
        var keys = new List<string>();
        while (reader.Read())
        {
            keys.Add(reader.GetString(0));
        }

        return keys;
    }

    public void Dispose() => _folder.Dispose();
}
