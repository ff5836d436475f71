using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapr;
using Dapr.Client;
using Gateway.Testing;
using Google.Protobuf;
using Google.Rpc;
using Grpc.Core;
using Grpc.Net.Client;
using GrpcMetadata = Grpc.Core.Metadata;
using Wire = Dapr.Client.Autogen.Grpc.v1;

namespace Gateway.LocalSidecar.Tests.Contract;

/// <summary>
/// The official Dapr .NET SDK as the client (DAPR-SDK.md sections 1 and 3): <see cref="DaprClient"/>
/// built with nothing but the standard endpoints and token, and the SDK's generated gRPC stubs for
/// the status details it does not surface. Each derived class runs them against one store; with
/// DAPR_CONTRACT_HTTP_ENDPOINT (and DAPR_CONTRACT_GRPC_ENDPOINT) set, against a real daprd.
/// </summary>
public abstract class SdkClientContract<TTarget> : IClassFixture<TTarget>, IDisposable
    where TTarget : ContractTarget
{
    private static readonly TimeSpan ExpiryDeadline = TimeSpan.FromSeconds(30);

    private readonly List<IDisposable> _owned = [];

    protected SdkClientContract(TTarget target)
    {
        Target = target;
        Client = Own(NewClient(target.RequiredApiToken));
        var channel = Own(GrpcChannel.ForAddress(target.GrpcEndpoint));
        Raw = new Wire.Dapr.DaprClient(channel);
    }

    protected TTarget Target { get; }

    private DaprClient Client { get; }

    /// <summary>The gRPC API without the SDK's wrapping, for status codes and details.</summary>
    private Wire.Dapr.DaprClient Raw { get; }

    private string Store => Target.StoreName;

    private GrpcMetadata TokenHeaders => Target.RequiredApiToken is { } token ? new GrpcMetadata { { "dapr-api-token", token } } : [];

    private static string NewKey() => "sdk-" + Guid.NewGuid().ToString("N");

    public void Dispose()
    {
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }

        GC.SuppressFinalize(this);
    }

    // ---- State through DaprClient (gRPC) ----

    [Fact]
    public async Task GetStateAndETagAsync_SavedKey_ReturnsTheValueAndAnETag()
    {
        var key = NewKey();
        await Client.SaveStateAsync(Store, key, new Order("o-1", 42));

        var (value, etag) = await Client.GetStateAndETagAsync<Order>(Store, key);

        Assert.Equal(new Order("o-1", 42), value);
        Assert.False(string.IsNullOrEmpty(etag));
    }

    [Fact]
    public async Task GetStateAndETagAsync_MissingKey_ReturnsDefaultAndAnEmptyETag()
    {
        var (value, etag) = await Client.GetStateAndETagAsync<Order>(Store, NewKey());

        Assert.Null(value);
        Assert.Equal("", etag);
    }

    [Fact]
    public async Task SaveStateAsync_WithoutETag_Overwrites_AndChangesTheETag()
    {
        var key = NewKey();
        await Client.SaveStateAsync(Store, key, new Order("o-1", 1));
        var (_, first) = await Client.GetStateAndETagAsync<Order>(Store, key);

        await Client.SaveStateAsync(Store, key, new Order("o-1", 2));

        var (value, second) = await Client.GetStateAndETagAsync<Order>(Store, key);
        Assert.Equal(2, value.Amount);
        Assert.NotEqual(first, second);
    }

    [Fact]
    public async Task TrySaveStateAsync_WithTheCurrentETag_ReturnsTrue_AndWrites()
    {
        var key = NewKey();
        await Client.SaveStateAsync(Store, key, new Order("o-1", 1));
        var (_, etag) = await Client.GetStateAndETagAsync<Order>(Store, key);

        var saved = await Client.TrySaveStateAsync(Store, key, new Order("o-1", 2), etag);

        Assert.True(saved);
        Assert.Equal(2, (await Client.GetStateAsync<Order>(Store, key)).Amount);
    }

    [Fact]
    public async Task TrySaveStateAsync_WithAStaleETag_ReturnsFalse_AndKeepsTheValue()
    {
        var key = NewKey();
        await Client.SaveStateAsync(Store, key, new Order("o-1", 1));
        var (_, stale) = await Client.GetStateAndETagAsync<Order>(Store, key);
        await Client.SaveStateAsync(Store, key, new Order("o-1", 2));

        var saved = await Client.TrySaveStateAsync(Store, key, new Order("o-1", 3), stale);

        Assert.False(saved);
        Assert.Equal(2, (await Client.GetStateAsync<Order>(Store, key)).Amount);
    }

    [Fact]
    public async Task SaveStateAsync_FirstWriteOnAnExistingKey_ThrowsDaprExceptionWrappingTheStoresStatus()
    {
        var key = NewKey();
        var firstWrite = new StateOptions { Concurrency = ConcurrencyMode.FirstWrite };
        await Client.SaveStateAsync(Store, key, new Order("o-1", 1), firstWrite);

        var error = await Assert.ThrowsAsync<DaprException>(() => Client.SaveStateAsync(Store, key, new Order("o-1", 2), firstWrite));

        // Dapr's PostgreSQL component reports this as a plain store error ("no item was updated"),
        // not as an ETag mismatch, so daprd answers Internal there (500 over HTTP); the others Aborted.
        var expected = Target.Kind == StateStoreKind.PostgreSql ? StatusCode.Internal : StatusCode.Aborted;
        Assert.Equal(expected, Assert.IsType<RpcException>(error.InnerException).StatusCode);
        Assert.Equal(1, (await Client.GetStateAsync<Order>(Store, key)).Amount);
    }

    [Fact]
    public async Task TryDeleteStateAsync_WithTheCurrentETag_Deletes_AndWithAStaleOne_Keeps()
    {
        string deleted = NewKey(), kept = NewKey();
        await Client.SaveStateAsync(Store, deleted, new Order("o-1", 1));
        await Client.SaveStateAsync(Store, kept, new Order("o-2", 1));
        var (_, current) = await Client.GetStateAndETagAsync<Order>(Store, deleted);
        var (_, stale) = await Client.GetStateAndETagAsync<Order>(Store, kept);
        await Client.SaveStateAsync(Store, kept, new Order("o-2", 2));

        Assert.True(await Client.TryDeleteStateAsync(Store, deleted, current));
        Assert.False(await Client.TryDeleteStateAsync(Store, kept, stale));

        Assert.Null(await Client.GetStateAsync<Order>(Store, deleted));
        Assert.Equal(2, (await Client.GetStateAsync<Order>(Store, kept)).Amount);
    }

    [Fact]
    public async Task GetBulkStateAsync_ReturnsEveryKeyInRequestOrder_AMissingKeyWithoutValueOrETag()
    {
        string first = NewKey(), missing = NewKey(), second = NewKey();
        await Client.SaveStateAsync(Store, first, new Order("a", 1));
        await Client.SaveStateAsync(Store, second, new Order("b", 2));

        var items = await Client.GetBulkStateAsync<Order>(Store, [first, missing, second], parallelism: 2);

        Assert.Equal([first, missing, second], items.Select(i => i.Key));
        Assert.Equal(new Order("a", 1), items[0].Value);
        Assert.False(string.IsNullOrEmpty(items[0].ETag));
        Assert.Null(items[1].Value);
        Assert.Equal("", items[1].ETag);
        Assert.Equal(new Order("b", 2), items[2].Value);
    }

    [Fact]
    public async Task ExecuteStateTransactionAsync_AppliesUpsertsAndDeletes()
    {
        string upserted = NewKey(), deleted = NewKey();
        await Client.SaveStateAsync(Store, deleted, new Order("gone", 1));

        await Client.ExecuteStateTransactionAsync(Store, [
            new StateTransactionRequest(upserted, Json(new Order("new", 7)), StateOperationType.Upsert),
            new StateTransactionRequest(deleted, null, StateOperationType.Delete),
        ]);

        Assert.Equal(new Order("new", 7), await Client.GetStateAsync<Order>(Store, upserted));
        Assert.Null(await Client.GetStateAsync<Order>(Store, deleted));
    }

    [Fact]
    public async Task ExecuteStateTransactionAsync_WithAStaleETag_ThrowsInternal_AndChangesNothing()
    {
        string fresh = NewKey(), contested = NewKey();
        await Client.SaveStateAsync(Store, contested, new Order("c", 1));
        var (_, stale) = await Client.GetStateAndETagAsync<Order>(Store, contested);
        await Client.SaveStateAsync(Store, contested, new Order("c", 2));

        var error = await Assert.ThrowsAsync<DaprException>(() => Client.ExecuteStateTransactionAsync(Store, [
            new StateTransactionRequest(fresh, Json(new Order("f", 1)), StateOperationType.Upsert),
            new StateTransactionRequest(contested, Json(new Order("c", 3)), StateOperationType.Upsert, stale),
        ]));

        var rpc = Assert.IsType<RpcException>(error.InnerException);
        Assert.Equal(StatusCode.Internal, rpc.StatusCode);
        Assert.Equal("ERR_STATE_TRANSACTION", ErrorInfoOf(rpc).Reason);
        Assert.Null(await Client.GetStateAsync<Order>(Store, fresh));
        Assert.Equal(2, (await Client.GetStateAsync<Order>(Store, contested)).Amount);
    }

    [Fact]
    public async Task SaveStateAsync_WithTtlMetadata_ReportsTheExpiry_AndTheItemExpires()
    {
        string expiring = NewKey(), lasting = NewKey();
        await Client.SaveStateAsync(Store, lasting, new Order("l", 1));
        await Client.SaveStateAsync(Store, expiring, new Order("e", 1), metadata: new Dictionary<string, string> { ["ttlInSeconds"] = "3" });

        var read = await Raw.GetStateAsync(new Wire.GetStateRequest { StoreName = Store, Key = expiring }, TokenHeaders);
        Assert.False(read.Data.IsEmpty, "the item expired before it could be read; the machine is too slow for a 3 s TTL");
        Assert.True(DateTimeOffset.TryParse(read.Metadata["ttlExpireTime"], System.Globalization.CultureInfo.InvariantCulture, out _), read.Metadata["ttlExpireTime"]);

        Assert.True(await Eventually.TrueAsync(async () => await Client.GetStateAsync<Order>(Store, expiring) is null, ExpiryDeadline), "the item did not expire");

        Assert.Equal(1, (await Client.GetStateAsync<Order>(Store, lasting)).Amount);
    }

    [Fact]
    public async Task StateSavedOverGrpc_ReadsTheSameOverHttp_AndTheOtherWayRound()
    {
        string viaGrpc = NewKey(), viaHttp = NewKey();
        await Client.SaveStateAsync(Store, viaGrpc, new Order("g", 1));
        var body = new JsonArray(new JsonObject { ["key"] = viaHttp, ["value"] = new JsonObject { ["id"] = "h", ["amount"] = 2 } });
        using var saved = await Target.Client.PostAsync($"/v1.0/state/{Store}", new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.NoContent, saved.StatusCode);

        using var overHttp = await Target.Client.GetAsync($"/v1.0/state/{Store}/{viaGrpc}");
        var (overGrpc, grpcETag) = await Client.GetStateAndETagAsync<Order>(Store, viaHttp);

        Assert.Equal(new Order("g", 1), JsonSerializer.Deserialize<Order>(await overHttp.Content.ReadAsStringAsync(), JsonSerializerOptions.Web));
        Assert.Equal((await Client.GetStateAndETagAsync<Order>(Store, viaGrpc)).etag, overHttp.Headers.GetValues("ETag").Single());
        Assert.Equal(new Order("h", 2), overGrpc);
        Assert.True(await Client.TrySaveStateAsync(Store, viaHttp, new Order("h", 3), grpcETag));
    }

    // ---- Metadata, token, health, invocation ----

    [Fact]
    public async Task GetMetadataAsync_DescribesTheAppAndItsComponents()
    {
        var metadata = await Client.GetMetadataAsync();

        Assert.Equal(Target.AppId, metadata.Id);
        var store = Assert.Single(metadata.Components, c => c.Name == Store);
        Assert.StartsWith("state.", store.Type, StringComparison.Ordinal);
        Assert.Contains("ETAG", store.Capabilities);
        Assert.Contains("TRANSACTIONAL", store.Capabilities);
        Assert.NotNull(metadata.Actors);
    }

    [Fact]
    public async Task GetMetadata_OverGrpc_MatchesTheHttpMetadata()
    {
        var overGrpc = await Raw.GetMetadataAsync(new Wire.GetMetadataRequest(), TokenHeaders);
        using var response = await Target.Client.GetAsync("/v1.0/metadata");
        var overHttp = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;

        Assert.Equal(overHttp["id"]!.GetValue<string>(), overGrpc.Id);
        Assert.Equal(overHttp["runtimeVersion"]!.GetValue<string>(), overGrpc.RuntimeVersion);
        Assert.Equal(
            overHttp["components"]!.AsArray().Select(c => (c!["name"]!.GetValue<string>(), c["type"]!.GetValue<string>(), string.Join(',', c["capabilities"]!.AsArray().Select(x => x!.GetValue<string>())))),
            overGrpc.RegisteredComponents.Select(c => (c.Name, c.Type, string.Join(',', c.Capabilities))));
        Assert.Equal(overHttp["appConnectionProperties"]!["port"]!.GetValue<int>(), overGrpc.AppConnectionProperties.Port);
        Assert.Equal(overHttp["appConnectionProperties"]!["channelAddress"]!.GetValue<string>(), overGrpc.AppConnectionProperties.ChannelAddress);
        Assert.Equal(overHttp["actorRuntime"]!["runtimeStatus"]!.GetValue<string>(), overGrpc.ActorRuntime.RuntimeStatus.ToString().ToUpperInvariant());
    }

    [Fact]
    public async Task ApiToken_MissingOrWrong_IsUnauthenticated_TheRightOneIsAccepted()
    {
        if (Target.RequiredApiToken is null)
        {
            return;
        }

        using var bare = NewClient(token: null);
        using var wrong = NewClient("not-the-token");

        var missing = await Assert.ThrowsAsync<DaprException>(() => bare.GetStateAsync<Order>(Store, NewKey()));
        var mismatched = await Assert.ThrowsAsync<DaprException>(() => wrong.GetStateAsync<Order>(Store, NewKey()));

        Assert.Equal(StatusCode.Unauthenticated, Assert.IsType<RpcException>(missing.InnerException).StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, Assert.IsType<RpcException>(mismatched.InnerException).StatusCode);
        Assert.Equal(Target.AppId, (await Client.GetMetadataAsync()).Id);
    }

    [Fact]
    public async Task CheckHealthAsync_IsTrueForTheSidecar_AndFalseWhereNoneListens()
    {
        using var nowhere = new DaprClientBuilder().UseHttpEndpoint($"http://127.0.0.1:{FreePort.Next()}").UseGrpcEndpoint($"http://127.0.0.1:{FreePort.Next()}").Build();

        Assert.True(await Client.CheckHealthAsync());
        Assert.False(await nowhere.CheckHealthAsync());
    }

    [Fact]
    public async Task WaitForSidecarAsync_CompletesOnceTheSidecarIsOutboundReady()
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));

        await Client.WaitForSidecarAsync(deadline.Token);

        Assert.False(deadline.IsCancellationRequested);
    }

    [Fact]
    public async Task CreateInvokeHttpClient_CallsTheAppThroughBothSidecars()
    {
        using var http = DaprClient.CreateInvokeHttpClient(Target.AppId, Target.CallerEndpoint.ToString(), Target.RequiredApiToken);

        using var response = await http.PostAsync("/echo/sdk?x=1", new StringContent("via the sdk"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var echo = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("/echo/sdk", echo["path"]!.GetValue<string>());
        Assert.Equal("?x=1", echo["query"]!.GetValue<string>());
        Assert.Equal("via the sdk", echo["body"]!.GetValue<string>());
        Assert.Equal(Target.CallerAppId, echo["headers"]!["dapr-caller-app-id"]!.GetValue<string>());
    }

    // ---- daprd's gRPC errors, read from grpc-status-details-bin ----

    [Fact]
    public async Task SaveState_StaleETag_IsAbortedWithErrorInfoStateSave()
    {
        var key = NewKey();
        await Client.SaveStateAsync(Store, key, new Order("o", 1));
        var (_, stale) = await Client.GetStateAndETagAsync<Order>(Store, key);
        await Client.SaveStateAsync(Store, key, new Order("o", 2));

        var error = await Assert.ThrowsAsync<RpcException>(async () => await Raw.SaveStateAsync(
            new Wire.SaveStateRequest { StoreName = Store, States = { new Wire.StateItem { Key = key, Value = ByteString.CopyFrom(Json(new Order("o", 3))), Etag = new Wire.Etag { Value = stale } } } },
            TokenHeaders));

        Assert.Equal(StatusCode.Aborted, error.StatusCode);
        Assert.Contains("possible etag mismatch", error.Status.Detail, StringComparison.Ordinal);
        var info = ErrorInfoOf(error);
        Assert.Equal("ERR_STATE_SAVE", info.Reason);
        Assert.Equal("dapr.io", info.Domain);
    }

    [Fact]
    public async Task GetState_UnknownStore_IsInvalidArgumentWithErrorInfoStateNotFound()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () => await Raw.GetStateAsync(new Wire.GetStateRequest { StoreName = "no-such-store", Key = NewKey() }, TokenHeaders));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("state store no-such-store is not found", error.Status.Detail);
        Assert.Equal("DAPR_STATE_NOT_FOUND", ErrorInfoOf(error).Reason);
    }

    [Fact]
    public async Task GetState_KeyContainingTheSeparator_IsInvalidArgumentWithBadRequestResourceAndErrorInfo()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () => await Raw.GetStateAsync(new Wire.GetStateRequest { StoreName = Store, Key = "a||b" }, TokenHeaders));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        var details = DetailsOf(error).Details;
        Assert.Equal("a||b", details[0].Unpack<BadRequest>().FieldViolations.Single().Field);
        Assert.Equal((ResourceType: "state", ResourceName: Store), (details[1].Unpack<ResourceInfo>().ResourceType, details[1].Unpack<ResourceInfo>().ResourceName));
        Assert.Equal("DAPR_STATE_ILLEGAL_KEY", details[2].Unpack<ErrorInfo>().Reason);
    }

    [Fact]
    public async Task SaveState_EmptyKey_IsInvalidArgument()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () => await Raw.SaveStateAsync(
            new Wire.SaveStateRequest { StoreName = Store, States = { new Wire.StateItem { Key = "", Value = ByteString.CopyFromUtf8("1") } } },
            TokenHeaders));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Equal("ERR_STATE_SAVE", ErrorInfoOf(error).Reason);
    }

    [Fact]
    public async Task ExecuteStateTransaction_UnknownOperation_IsUnimplemented()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () => await Raw.ExecuteStateTransactionAsync(
            new Wire.ExecuteStateTransactionRequest { StoreName = Store, Operations = { new Wire.TransactionalStateOperation { OperationType = "merge", Request = new Wire.StateItem { Key = NewKey() } } } },
            TokenHeaders));

        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
        Assert.Equal("ERR_NOT_SUPPORTED_STATE_OPERATION", ErrorInfoOf(error).Reason);
    }

    [Fact]
    public async Task AMethodLocalSidecarDoesNotServe_IsUnimplemented()
    {
        var error = await Assert.ThrowsAsync<RpcException>(async () => await Raw.PublishEventAsync(new Wire.PublishEventRequest { PubsubName = "pubsub", Topic = "t" }, TokenHeaders));

        Assert.Equal(StatusCode.Unimplemented, error.StatusCode);
    }

    [Fact]
    public async Task DeleteBulkState_DeletesEveryKey_AndAStaleETagIsAborted()
    {
        string first = NewKey(), second = NewKey(), contested = NewKey();
        foreach (var key in new[] { first, second, contested })
        {
            await Client.SaveStateAsync(Store, key, new Order(key, 1));
        }

        var (_, stale) = await Client.GetStateAndETagAsync<Order>(Store, contested);
        await Client.SaveStateAsync(Store, contested, new Order(contested, 2));

        await Raw.DeleteBulkStateAsync(new Wire.DeleteBulkStateRequest { StoreName = Store, States = { new Wire.StateItem { Key = first }, new Wire.StateItem { Key = second } } }, TokenHeaders);
        var error = await Assert.ThrowsAsync<RpcException>(async () => await Raw.DeleteBulkStateAsync(
            new Wire.DeleteBulkStateRequest { StoreName = Store, States = { new Wire.StateItem { Key = contested, Etag = new Wire.Etag { Value = stale } } } },
            TokenHeaders));

        Assert.Null(await Client.GetStateAsync<Order>(Store, first));
        Assert.Null(await Client.GetStateAsync<Order>(Store, second));
        Assert.Equal(StatusCode.Aborted, error.StatusCode);
        Assert.Equal("ERR_STATE_BULK_DELETE", ErrorInfoOf(error).Reason);
        Assert.Equal(2, (await Client.GetStateAsync<Order>(Store, contested)).Amount);
    }

    [Fact]
    public async Task ApiToken_Missing_IsUnauthenticatedWithDaprdsErrorInfo()
    {
        if (Target.RequiredApiToken is null)
        {
            return;
        }

        var error = await Assert.ThrowsAsync<RpcException>(async () => await Raw.GetMetadataAsync(new Wire.GetMetadataRequest()));

        Assert.Equal(StatusCode.Unauthenticated, error.StatusCode);
        var info = ErrorInfoOf(error);
        Assert.Equal("Unauthorized", info.Reason);
        Assert.Equal("401", info.Metadata["http.code"]);
    }

    [Fact]
    public async Task SaveState_AMessageOverDaprdsFourMebibytes_IsRejected()
    {
        var big = ByteString.CopyFrom(new byte[(4 << 20) + 1]);

        var error = await Assert.ThrowsAsync<RpcException>(async () => await Raw.SaveStateAsync(
            new Wire.SaveStateRequest { StoreName = Store, States = { new Wire.StateItem { Key = NewKey(), Value = big } } },
            TokenHeaders));

        Assert.Equal(StatusCode.ResourceExhausted, error.StatusCode);
    }

    [Fact]
    public async Task GrpcPort_ServesGrpcOnly_NotTheHttpApi()
    {
        using var http2 = new HttpClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(Target.GrpcEndpoint, "/v1.0/metadata"))
        {
            Version = HttpVersion.Version20,
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        if (Target.RequiredApiToken is { } token)
        {
            request.Headers.Add("dapr-api-token", token);
        }

        using var response = await http2.SendAsync(request);

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    // ---- helpers ----

    private DaprClient NewClient(string? token)
    {
        var builder = new DaprClientBuilder().UseGrpcEndpoint(Target.GrpcEndpoint.ToString()).UseHttpEndpoint(Target.Endpoint.ToString());
        if (token is not null)
        {
            builder.UseDaprApiToken(token);
        }

        return builder.Build();
    }

    private T Own<T>(T disposable)
        where T : IDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    private static byte[] Json<T>(T value) => JsonSerializer.SerializeToUtf8Bytes(value, JsonSerializerOptions.Web);

    private static Google.Rpc.Status DetailsOf(RpcException error) =>
        Google.Rpc.Status.Parser.ParseFrom(error.Trailers.GetValueBytes("grpc-status-details-bin") ?? throw new InvalidOperationException($"no status details: {error.Status}"));

    private static ErrorInfo ErrorInfoOf(RpcException error) =>
        DetailsOf(error).Details.Single(d => d.Is(ErrorInfo.Descriptor)).Unpack<ErrorInfo>();

    public sealed record Order(string Id, int Amount);
}

public sealed class InMemorySdkClientContract(InMemoryTarget target) : SdkClientContract<InMemoryTarget>(target);

public sealed class SqliteSdkClientContract(SqliteTarget target) : SdkClientContract<SqliteTarget>(target);

public sealed class PostgresSdkClientContract(PostgresTarget target) : SdkClientContract<PostgresTarget>(target);
