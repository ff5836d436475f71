using System.Text.Json;
using Google.Protobuf.WellKnownTypes;
using Gateway.ServiceDefaults.Dapr;
using Gateway.ServiceDefaults.Tests.Dapr.Support;
using Wire = Dapr.Client.Autogen.Grpc.v1;

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
        await using var fake = await FakeSidecar.StartGrpcAsync((context, _) => FakeSidecar.GrpcAnswer(context, new Empty()));
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
        await using var fake = await FakeSidecar.StartGrpcAsync((context, _) => FakeSidecar.GrpcAnswer(context, new Empty()));
        using var clients = new TestDaprClients(fake.Endpoint, configure: o => o.JsonSerializerOptions = new JsonSerializerOptions { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower });

        await clients.State.SaveStateAsync("statestore", "k", new Account("a", 1), TimeSpan.FromSeconds(1.5));
        await clients.State.TryExecuteStateTransactionAsync("statestore", [StateTransactionOperation.Upsert("t", new Account("b", 2))]);

        var save = Assert.Single(FakeSidecar.ReadGrpcRequest(fake.Bodies[0], Wire.SaveStateRequest.Parser).States);
        Assert.Equal("""{"account_id":"a","balance":1}""", save.Value.ToStringUtf8());
        Assert.Equal("2", save.Metadata["ttlInSeconds"]);
        var upsert = Assert.Single(FakeSidecar.ReadGrpcRequest(fake.Bodies[1], Wire.ExecuteStateTransactionRequest.Parser).Operations);
        Assert.Equal("""{"account_id":"b","balance":2}""", upsert.Request.Value.ToStringUtf8());
    }

    [Fact]
    public async Task Writes_SendTheConcurrencyAndETagAsked_FirstWriteByDefault()
    {
        await using var fake = await FakeSidecar.StartGrpcAsync((context, _) => FakeSidecar.GrpcAnswer(context, new Empty()));
        using var clients = new TestDaprClients(fake.Endpoint);

        await clients.State.TrySaveStateAsync("statestore", "k", 1, etag: "e1");
        await clients.State.TrySaveStateAsync("statestore", "k", 1, etag: null);
        await clients.State.SaveStateAsync("statestore", "k", 1);
        await clients.State.TryDeleteStateAsync("statestore", "k", "e 2");
        await clients.State.TryExecuteStateTransactionAsync("statestore",
        [
            StateTransactionOperation.Upsert("a", 1, "e3"),
            StateTransactionOperation.Upsert("b", 2, concurrency: StateConcurrency.LastWrite),
            StateTransactionOperation.Upsert("n", 3),
            StateTransactionOperation.Delete("c", "e4"),
        ]);

        Assert.Equal(
        [
            "POST /dapr.proto.runtime.v1.Dapr/SaveState",
            "POST /dapr.proto.runtime.v1.Dapr/SaveState",
            "POST /dapr.proto.runtime.v1.Dapr/SaveState",
            "POST /dapr.proto.runtime.v1.Dapr/DeleteState",
            "POST /dapr.proto.runtime.v1.Dapr/ExecuteStateTransaction",
        ], fake.Requests);
        string Save(int i) => Describe(Assert.Single(FakeSidecar.ReadGrpcRequest(fake.Bodies[i], Wire.SaveStateRequest.Parser).States));
        Assert.Equal("k 1 e1 ConcurrencyFirstWrite", Save(0));
        Assert.Equal("k 1 - ConcurrencyFirstWrite", Save(1));
        Assert.Equal("k 1 - ConcurrencyLastWrite", Save(2));
        var delete = FakeSidecar.ReadGrpcRequest(fake.Bodies[3], Wire.DeleteStateRequest.Parser);
        Assert.Equal("k e 2", $"{delete.Key} {delete.Etag.Value}");
        var transaction = FakeSidecar.ReadGrpcRequest(fake.Bodies[4], Wire.ExecuteStateTransactionRequest.Parser);
        Assert.Equal(
            ["upsert a 1 e3 ConcurrencyFirstWrite", "upsert b 2 - ConcurrencyLastWrite", "upsert n 3 - ConcurrencyFirstWrite", "delete c  e4 ConcurrencyLastWrite"],
            transaction.Operations.Select(o => $"{o.OperationType} {Describe(o.Request)}"));
    }

    private static string Describe(Wire.StateItem item) =>
        $"{item.Key} {item.Value.ToStringUtf8()} {(item.Etag is null ? "-" : item.Etag.Value)} {item.Options?.Concurrency}";
}
