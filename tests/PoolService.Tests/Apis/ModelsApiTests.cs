using System.Net;
using System.Text.Json.Nodes;
using Gateway.PoolService.Tests.Support;
using Gateway.Testing;

namespace Gateway.PoolService.Tests.Apis;

[Collection(SharedPool.Name)]
public sealed class ModelsApiTests(PoolFixture stack)
{
    private PoolApi Api => stack.Api;

    [Fact]
    public async Task List_FromConfiguration_HasEachModelAndAlias_SortedById_WithPoolsInWalkOrder_AndNoSecret()
    {
        await using var own = await OwnPool.StartAsync(new Dictionary<string, string?>
        {
            // Listed primary first: the walk order, not the names' order.
            ["Pool:Pools:0:Name"] = "primary",
            ["Pool:Pools:1:Name"] = "fallback",
            ["Pool:Backends:0:Id"] = "a",
            ["Pool:Backends:0:Pool"] = "primary",
            ["Pool:Backends:0:BaseUrl"] = "http://127.0.0.1:9/route-a/v1",
            ["Pool:Backends:0:ApiKey"] = "sk-configured-secret-0123456789",
            ["Pool:Backends:0:Models:gpt-4o-mini"] = "gpt-4o-mini-2024-07-18",
            ["Pool:Backends:0:Rpm"] = "10",
            ["Pool:Backends:1:Id"] = "b",
            ["Pool:Backends:1:Pool"] = "fallback",
            ["Pool:Backends:1:BaseUrl"] = "http://127.0.0.1:9/route-b/v1",
            ["Pool:Backends:1:Models:gpt-4o-mini"] = "gpt-4o-mini-2024-07-18",
            ["Pool:Backends:1:Models:o3-mini"] = "o3-mini-2025-01-31",
            ["Pool:Backends:1:Rpm"] = "10",
            ["Pool:Aliases:mini"] = "gpt-4o-mini",
            ["Pool:Aliases:o3"] = "o3-mini",
        });

        var list = (await ModelsAsync(own.Api)).EnsureStatus(HttpStatusCode.OK);

        Assert.Equal("application/json", list.MediaType);
        Assert.Equal(
            """{"models":[""" +
            """{"id":"gpt-4o-mini","aliasOf":null,"pools":["primary","fallback"]},""" +
            """{"id":"mini","aliasOf":"gpt-4o-mini","pools":["primary","fallback"]},""" +
            """{"id":"o3","aliasOf":"o3-mini","pools":["fallback"]},""" +
            """{"id":"o3-mini","aliasOf":null,"pools":["fallback"]}""" +
            "]}",
            list.Body);
        foreach (var secret in new[] { "configured-secret", "route-a", "127.0.0.1", "2024-07-18", "\"a\"", "\"b\"" })
        {
            Assert.DoesNotContain(secret, list.Body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task List_FollowsAdminEdits_OfBackendsAndAliases()
    {
        var (first, second) = (PoolFixture.Name("first"), PoolFixture.Name("second"));
        var (model, added, alias) = (PoolFixture.Name("model"), PoolFixture.Name("added"), PoolFixture.Name("alias"));
        var (a, b, c) = (PoolFixture.Name("a"), PoolFixture.Name("b"), PoolFixture.Name("c"));
        const string apiKey = "sk-admin-secret-0123456789abcdef";
        const string baseUrl = "http://127.0.0.1:9/admin-route/v1";

        // Created second first: the order field decides, not creation.
        (await Api.PutPoolAsync(second, 301)).EnsureStatus(HttpStatusCode.Created);
        (await Api.PutPoolAsync(first, 300)).EnsureStatus(HttpStatusCode.Created);
        (await Api.PutBackendAsync(b, PoolApi.Backend(second, model, 10, apiKey, baseUrl: baseUrl))).EnsureStatus(HttpStatusCode.Created);
        var initial = (await ModelsAsync(Api)).EnsureStatus(HttpStatusCode.OK);
        (await Api.PutBackendAsync(a, PoolApi.Backend(first, model, 10, apiKey, baseUrl: baseUrl))).EnsureStatus(HttpStatusCode.Created);
        var servedByBoth = (await ModelsAsync(Api)).EnsureStatus(HttpStatusCode.OK);
        (await Api.PutBackendAsync(c, PoolApi.Backend(first, added, 10, apiKey, baseUrl: baseUrl))).EnsureStatus(HttpStatusCode.Created);
        var withAdded = (await ModelsAsync(Api)).EnsureStatus(HttpStatusCode.OK);
        (await Api.PutAliasAsync(alias, added)).EnsureStatus(HttpStatusCode.Created);
        var withAlias = (await ModelsAsync(Api)).EnsureStatus(HttpStatusCode.OK);
        (await Api.SendAsync(HttpMethod.Delete, $"/admin/backends/{c}", null)).EnsureStatus(HttpStatusCode.NoContent);
        var addedGone = (await ModelsAsync(Api)).EnsureStatus(HttpStatusCode.OK);
        (await Api.SendAsync(HttpMethod.Delete, $"/admin/backends/{a}", null)).EnsureStatus(HttpStatusCode.NoContent);
        var firstGone = (await ModelsAsync(Api)).EnsureStatus(HttpStatusCode.OK);

        Assert.Equal([second], Pools(initial, model));
        Assert.Null(Entry(initial, added));
        Assert.Equal([first, second], Pools(servedByBoth, model));
        Assert.Equal([first], Pools(withAdded, added));
        Assert.Null(Entry(withAdded, alias));
        Assert.Equal(added, Entry(withAlias, alias)!["aliasOf"]!.ToString());
        Assert.Equal([first], Pools(withAlias, alias));
        Assert.Null(Entry(addedGone, added));
        Assert.Null(Entry(addedGone, alias)); // its model is served no more, so a lease would 404 it
        Assert.Equal([first, second], Pools(addedGone, model));
        Assert.Equal([second], Pools(firstGone, model));
        foreach (var answer in new[] { initial, servedByBoth, withAdded, withAlias, addedGone, firstGone })
        {
            Assert.DoesNotContain("admin-secret", answer.Body, StringComparison.Ordinal);
            Assert.DoesNotContain("admin-route", answer.Body, StringComparison.Ordinal);
            Assert.DoesNotContain(b, answer.Body, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task List_AgreesWithLeases_EveryListedNameIsLeasable_AndEveryOtherIs404()
    {
        await using var own = await OwnPool.StartAsync(new Dictionary<string, string?> { ["Pool:AdminToken"] = PoolFixture.AdminToken });
        await own.Api.SetUpPoolAsync("pool", 1, "served", ("on", 10));
        (await own.Api.PutBackendAsync("off", PoolApi.Backend("pool", "parked", 10, enabled: false))).EnsureStatus(HttpStatusCode.Created);
        (await own.Api.PutAliasAsync("short", "served")).EnsureStatus(HttpStatusCode.Created);
        (await own.Api.PutBackendAsync("gone", PoolApi.Backend("pool", "retired", 10))).EnsureStatus(HttpStatusCode.Created);
        (await own.Api.PutAliasAsync("old", "retired")).EnsureStatus(HttpStatusCode.Created);
        (await own.Api.SendAsync(HttpMethod.Delete, "/admin/backends/gone", null)).EnsureStatus(HttpStatusCode.NoContent);

        var list = (await ModelsAsync(own.Api)).EnsureStatus(HttpStatusCode.OK);
        var ids = list.Json["models"]!.AsArray().Select(m => m!["id"]!.ToString()).ToList();
        var listedLeases = new Dictionary<string, Answer>();
        foreach (var id in ids)
        {
            listedLeases[id] = await own.Api.LeaseAsync(id);
        }

        var unlisted = new[] { "retired", "old", "no-such-model" };
        var unlistedLeases = new List<Answer>();
        foreach (var name in unlisted)
        {
            unlistedLeases.Add(await own.Api.LeaseAsync(name));
        }

        // A model only a disabled backend serves is known: its lease is a 503, not a 404.
        Assert.Equal(["parked", "served", "short"], ids);
        Assert.All(listedLeases.Values, l => Assert.NotEqual(HttpStatusCode.NotFound, l.Status));
        Assert.Equal(HttpStatusCode.OK, listedLeases["served"].Status);
        Assert.Equal(HttpStatusCode.OK, listedLeases["short"].Status);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, listedLeases["parked"].Status);
        Assert.Equal("disabled", Assert.Single(listedLeases["parked"].Json["denials"]!.AsArray())!["reason"]!.ToString());
        Assert.Equal(["pool"], Pools(list, "parked"));
        Assert.All(unlistedLeases, l => Assert.Equal("urn:gateway:problem:pool:unknown-model", l["type"]));
        Assert.All(unlistedLeases, l => Assert.Equal(ids, l.Json["knownModels"]!.AsArray().Select(m => m!.ToString())));
    }

    [Fact]
    public async Task List_WhenTheStoreCannotBeReached_Answers503StoreUnavailable()
    {
        await using var own = await OwnPool.StartAsync(new Dictionary<string, string?> { ["Pool:RegistryRefreshInterval"] = "00:00:00.100" });
        (await ModelsAsync(own.Api)).EnsureStatus(HttpStatusCode.OK);

        await own.Sidecar.DisposeAsync();

        // Once the replica's copy of the registry is stale (100 ms), the next read goes to the store.
        Answer? answer = null;
        await Eventually.TrueAsync(async () => (answer = await ModelsAsync(own.Api)).Status != HttpStatusCode.OK, TimeSpan.FromSeconds(30));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, answer!.Status);
        Assert.Equal("urn:gateway:problem:pool:store-unavailable", answer["type"]);
        Assert.Equal(TimeSpan.FromSeconds(1), answer.RetryAfter);
    }

    [Fact]
    public async Task List_WithAnAppApiToken_IsRefusedWithoutIt_LikeLeases_AndTheAdminTokenIsNoSubstitute()
    {
        // No sidecar: the token check answers before any handler reads the registry.
        await using var replica = new PoolReplica(FreePort.Next(), FreePort.Next(), null, null, new Dictionary<string, string?>
        {
            ["APP_API_TOKEN"] = "app-token-0123456789",
            ["Pool:AdminToken"] = PoolFixture.AdminToken,
            ["Pool:EncryptionKey"] = PoolFixture.EncryptionKey,
        }, null);
        replica.StartServer();
        using var api = new PoolApi(new HttpClient { BaseAddress = replica.Address, Timeout = TimeSpan.FromSeconds(30) }, PoolFixture.AdminToken);

        var models = await ModelsAsync(api);
        var withAdminToken = await api.SendAsync(HttpMethod.Get, "/models", null, admin: true);
        var lease = await api.LeaseAsync("m");

        Assert.Equal(HttpStatusCode.Unauthorized, models.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, withAdminToken.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, lease.Status);
    }

    /// <summary>Always without the admin token: the listing is not an admin route.</summary>
    private static Task<Answer> ModelsAsync(PoolApi api) => api.SendAsync(HttpMethod.Get, "/models", null, admin: false);

    private static JsonNode? Entry(Answer list, string id) =>
        list.Json["models"]!.AsArray().SingleOrDefault(m => m!["id"]!.ToString() == id);

    private static List<string> Pools(Answer list, string id) =>
        [.. (Entry(list, id) ?? throw new Xunit.Sdk.XunitException($"'{id}' is not listed: {list.Body}"))["pools"]!.AsArray().Select(p => p!.ToString())];

    /// <summary>A replica with a registry of its own (its own SQLite store and sidecar), for listings that must hold nothing else.</summary>
    private sealed class OwnPool : IAsyncDisposable
    {
        private readonly TempFolder _folder;
        private readonly PoolReplica _replica;

        private OwnPool(TempFolder folder, PoolReplica replica, SidecarProcess sidecar)
        {
            _folder = folder;
            _replica = replica;
            Sidecar = sidecar;
            Api = new PoolApi(new HttpClient { BaseAddress = replica.Address, Timeout = TimeSpan.FromSeconds(30) }, PoolFixture.AdminToken);
        }

        public PoolApi Api { get; }

        public SidecarProcess Sidecar { get; }

        public static async Task<OwnPool> StartAsync(Dictionary<string, string?> settings)
        {
            var folder = new TempFolder("pool-models");
            var resources = Directory.CreateDirectory(folder.Combine("resources")).FullName;
            await File.WriteAllTextAsync(Path.Combine(resources, "statestore.yaml"), ComponentYaml.StateStore(StateStoreKind.Sqlite, "statestore", folder.Combine("state.db"), actorStateStore: true));
            settings["Pool:EncryptionKey"] = PoolFixture.EncryptionKey;
            settings["Pool:Probing:Enabled"] = "false";
            var sidecarPort = FreePort.Next();
            var sidecarGrpcPort = FreePort.Next();
            var replica = new PoolReplica(FreePort.Next(), sidecarPort, null, new Random(1234), settings, null, sidecarGrpcPort);
            SidecarProcess? sidecar = null;
            try
            {
                replica.StartServer();
                sidecar = await SidecarProcess.StartAsync("pool", resources, Directory.CreateDirectory(folder.Combine("registry")).FullName, replica.Port, httpPort: sidecarPort, grpcPort: sidecarGrpcPort);
                await sidecar.WaitUntilAsync("/v1.0/healthz", TimeSpan.FromSeconds(30));
                await replica.Registry.Seeded.WaitAsync(TimeSpan.FromSeconds(30));
                return new OwnPool(folder, replica, sidecar);
            }
            catch
            {
                if (sidecar is not null)
                {
                    await sidecar.DisposeAsync();
                }

                await replica.DisposeAsync();
                folder.Dispose();
                throw;
            }
        }

        public async ValueTask DisposeAsync()
        {
            Api.Dispose();
            await Sidecar.DisposeAsync();
            await _replica.DisposeAsync();
            _folder.Dispose();
        }
    }
}
