using System.Text.Json;
using Gateway.ServiceDefaults.Dapr;
using Gateway.ServiceDefaults.Tests.Dapr.Support;

namespace Gateway.ServiceDefaults.Tests.Dapr;

/// <summary>Values are serialised with the configured options before anything is sent.</summary>
public sealed class DaprClientSerializationTests
{
    private sealed class Loop
    {
        public Loop? Next { get; set; }
    }

    [Fact]
    public async Task Writes_ValueThatCannotBeSerialised_ThrowBeforeSending()
    {
        await using var fake = await FakeSidecar.StartAsync((context, _) => Task.CompletedTask);
        using var clients = new TestDaprClients(fake.Endpoint);
        var loop = new Loop();
        loop.Next = loop;

        await Assert.ThrowsAsync<JsonException>(() => clients.State.SaveStateAsync("statestore", "k", loop));
        await Assert.ThrowsAsync<JsonException>(() => clients.State.TrySaveStateAsync("statestore", "k", loop, etag: null));
        await Assert.ThrowsAsync<JsonException>(() => clients.State.TryExecuteStateTransactionAsync("statestore", [StateTransactionOperation.Upsert("k", loop)]));

        Assert.Empty(fake.Requests);
    }

    [Fact]
    public async Task ConfiguredJsonOptions_ShapeTheWireFormat()
    {
        string? body = null;
        await using var fake = await FakeSidecar.StartAsync(async (context, _) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            body = await reader.ReadToEndAsync();
            context.Response.StatusCode = 204;
        });
        using var clients = new TestDaprClients(fake.Endpoint, configure: o => o.JsonSerializerOptions = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });

        await clients.State.SaveStateAsync("statestore", "k", new Account("a", 1), TimeSpan.FromSeconds(1.5));

        Assert.Equal("""[{"key":"k","value":{"account_id":"a","balance":1},"metadata":{"ttlInSeconds":"2"}}]""", body);
    }

    [Fact]
    public async Task ConditionalWrites_SendFirstWriteConcurrency_AndTheETag()
    {
        var bodies = new List<string>();
        await using var fake = await FakeSidecar.StartAsync(async (context, _) =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            lock (bodies)
            {
                bodies.Add(context.Request.Method + " " + context.Request.Headers.IfMatch + " " + body);
            }

            context.Response.StatusCode = 204;
        });
        using var clients = new TestDaprClients(fake.Endpoint);

        await clients.State.TrySaveStateAsync("statestore", "k", 1, etag: "e1");
        await clients.State.TrySaveStateAsync("statestore", "k", 1, etag: null);
        await clients.State.TryDeleteStateAsync("statestore", "k", "e 2");
        await clients.State.TryExecuteStateTransactionAsync("statestore",
        [
            StateTransactionOperation.Upsert("a", 1, "e3"),
            StateTransactionOperation.Upsert("b", 2, concurrency: StateConcurrency.LastWrite),
            StateTransactionOperation.Delete("c", "e4"),
        ]);

        Assert.Equal(
        [
            """POST  [{"key":"k","value":1,"etag":"e1","options":{"concurrency":"first-write"}}]""",
            """POST  [{"key":"k","value":1,"options":{"concurrency":"first-write"}}]""",
            "DELETE e 2 ",
            """POST  {"operations":[{"operation":"upsert","request":{"key":"a","value":1,"etag":"e3","options":{"concurrency":"first-write"}}},{"operation":"upsert","request":{"key":"b","value":2,"options":{"concurrency":"last-write"}}},{"operation":"delete","request":{"key":"c","etag":"e4"}}]}""",
        ], bodies);
    }
}
