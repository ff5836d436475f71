using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.Testing;

namespace Gateway.LocalSidecar.Tests.Contract;

/// <summary>
/// One test per fact of DAPR-HTTP.md sections 1-3 and 6. Each derived class runs them against
/// one store; with DAPR_CONTRACT_HTTP_ENDPOINT set they run against a real daprd instead.
/// </summary>
public abstract class SidecarContract<TTarget>(TTarget target) : IClassFixture<TTarget>
    where TTarget : ContractTarget
{
    protected TTarget Target { get; } = target;

    private HttpClient Client => Target.Client;

    private string State => $"/v1.0/state/{Target.StoreName}";

    private static string NewKey() => "k-" + Guid.NewGuid().ToString("N");

    // ---- Section 1: state ----

    [Fact]
    public async Task Get_MissingKey_Returns204WithEmptyBodyAndNoETag()
    {
        using var response = await Client.GetAsync($"{State}/{NewKey()}");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Empty(await response.Content.ReadAsByteArrayAsync());
        Assert.Null(response.Headers.ETag);
        Assert.False(response.Headers.Contains("ETag"));
    }

    [Fact]
    public async Task Get_SavedKey_Returns200WithStoredJsonAndETagHeader()
    {
        var key = NewKey();
        await SaveAsync(new JsonArray(Item(key, new JsonObject { ["amount"] = 42, ["name"] = "a" })));

        using var response = await Client.GetAsync($"{State}/{key}");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.False(string.IsNullOrEmpty(ETagOf(response)));
        var body = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(42, body["amount"]!.GetValue<int>());
        Assert.Equal("a", body["name"]!.GetValue<string>());
    }

    [Fact]
    public async Task Get_UnknownStore_Returns400StoreNotFound()
    {
        using var response = await Client.GetAsync($"/v1.0/state/no-such-store/{NewKey()}");

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "ERR_STATE_STORE_NOT_FOUND");
    }

    [Fact]
    public async Task Get_KeyContainingSeparator_Returns400MalformedRequest()
    {
        using var response = await Client.GetAsync($"{State}/a%7C%7Cb");

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "ERR_MALFORMED_REQUEST");
    }

    [Fact]
    public async Task BulkGet_ReturnsItemsInRequestOrder_MissingKeyHasKeyOnly()
    {
        string first = NewKey(), missing = NewKey(), second = NewKey();
        await SaveAsync(new JsonArray(Item(first, 1), Item(second, "two")));

        using var response = await Client.PostAsync($"{State}/bulk", Json(new JsonObject { ["keys"] = new JsonArray(first, missing, second), ["parallelism"] = 2 }));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var items = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray();
        Assert.Equal([first, missing, second], items.Select(i => i!["key"]!.GetValue<string>()));
        Assert.Equal(1, items[0]!["data"]!.GetValue<int>());
        Assert.False(string.IsNullOrEmpty(items[0]!["etag"]!.GetValue<string>()));
        Assert.Equal(["key"], items[1]!.AsObject().Select(p => p.Key));
        Assert.Equal("two", items[2]!["data"]!.GetValue<string>());
    }

    [Fact]
    public async Task Save_Returns204_AlsoForAnEmptyArray()
    {
        using var saved = await Client.PostAsync(State, Json(new JsonArray(Item(NewKey(), true))));
        using var empty = await Client.PostAsync(State, Json(new JsonArray()));

        Assert.Equal(HttpStatusCode.NoContent, saved.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, empty.StatusCode);
    }

    [Fact]
    public async Task Save_ItemWithoutKey_Returns400MalformedRequest()
    {
        using var response = await Client.PostAsync(State, Json(new JsonArray(new JsonObject { ["value"] = 1 })));

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "ERR_MALFORMED_REQUEST");
    }

    [Fact]
    public async Task Save_WrongETag_Returns409StateSaveMentioningEtagMismatch()
    {
        var key = NewKey();
        var etag = await SaveAndGetETagAsync(key, 1);
        await SaveAsync(new JsonArray(Item(key, 2)));

        using var response = await Client.PostAsync(State, Json(new JsonArray(Item(key, 3, etag))));

        var message = await AssertErrorAsync(response, HttpStatusCode.Conflict, "ERR_STATE_SAVE");
        Assert.Contains("possible etag mismatch", message, StringComparison.Ordinal);
        Assert.Equal(2, (await GetValueAsync(key))!.GetValue<int>());
    }

    [Fact]
    public async Task Save_MalformedETag_IsRejectedAsTheStoreDefines()
    {
        var key = NewKey();
        await SaveAsync(new JsonArray(Item(key, 1)));

        using var response = await Client.PostAsync(State, Json(new JsonArray(Item(key, 2, "not-an-etag-of-this-store"))));

        // PostgreSQL's ETag is a row version number: anything else is malformed (400); the
        // other stores compare opaque strings, so a malformed ETag is just a mismatch (409).
        var expected = Target.Kind == StateStoreKind.PostgreSql ? HttpStatusCode.BadRequest : HttpStatusCode.Conflict;
        await AssertErrorAsync(response, expected, "ERR_STATE_SAVE");
        Assert.Equal(1, (await GetValueAsync(key))!.GetValue<int>());
    }

    [Fact]
    public async Task Save_SeveralItems_IsNotAtomic_TheOthersAreStillWritten()
    {
        string first = NewKey(), conflicting = NewKey(), last = NewKey();
        var stale = await SaveAndGetETagAsync(conflicting, 1);
        await SaveAsync(new JsonArray(Item(conflicting, 2)));

        using var response = await Client.PostAsync(State, Json(new JsonArray(Item(first, "a"), Item(conflicting, 3, stale), Item(last, "c"))));

        await AssertErrorAsync(response, HttpStatusCode.Conflict, "ERR_STATE_SAVE");
        Assert.Equal("a", (await GetValueAsync(first))!.GetValue<string>());
        Assert.Equal("c", (await GetValueAsync(last))!.GetValue<string>());
        Assert.Equal(2, (await GetValueAsync(conflicting))!.GetValue<int>());
    }

    [Fact]
    public async Task Save_ValueIsParsedAndReserialised_NotStoredVerbatim()
    {
        var key = NewKey();
        using var saved = await Client.PostAsync(State, new StringContent($$"""[ { "key": "{{key}}", "value": {  "b" : [ 1 , 2 ],   "a" : "x" } } ]""", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.NoContent, saved.StatusCode);

        using var response = await Client.GetAsync($"{State}/{key}");
        var text = await response.Content.ReadAsStringAsync();

        Assert.DoesNotContain("   ", text, StringComparison.Ordinal);
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse("""{"a":"x","b":[1,2]}"""), JsonNode.Parse(text)));
    }

    [Fact]
    public async Task Save_WithTtlMetadata_ExpiresTheItem()
    {
        var key = NewKey();
        var item = Item(key, "short-lived");
        item["metadata"] = new JsonObject { ["ttlInSeconds"] = "1" };
        await SaveAsync(new JsonArray(item));
        Assert.NotNull(await GetValueAsync(key));

        await WaitUntilMissingAsync(key);
    }

    [Fact]
    public async Task Save_WithTtlInTheQuery_ExpiresTheItem()
    {
        var key = NewKey();
        using var saved = await Client.PostAsync($"{State}?metadata.ttlInSeconds=1", Json(new JsonArray(Item(key, 1))));
        Assert.Equal(HttpStatusCode.NoContent, saved.StatusCode);

        await WaitUntilMissingAsync(key);
    }

    [Fact]
    public async Task Delete_Returns204_AndTheKeyIsGone()
    {
        var key = NewKey();
        await SaveAsync(new JsonArray(Item(key, 1)));

        using var response = await Client.DeleteAsync($"{State}/{key}");

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Null(await GetValueAsync(key));
    }

    [Fact]
    public async Task Delete_WithMatchingIfMatch_Returns204()
    {
        var key = NewKey();
        var etag = await SaveAndGetETagAsync(key, 1);

        using var request = new HttpRequestMessage(HttpMethod.Delete, $"{State}/{key}");
        request.Headers.TryAddWithoutValidation("If-Match", etag);
        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Null(await GetValueAsync(key));
    }

    [Fact]
    public async Task Delete_WithStaleIfMatch_Returns409StateDelete_AndKeepsTheKey()
    {
        var key = NewKey();
        var stale = await SaveAndGetETagAsync(key, 1);
        await SaveAsync(new JsonArray(Item(key, 2)));

        using var request = new HttpRequestMessage(HttpMethod.Delete, $"{State}/{key}");
        request.Headers.TryAddWithoutValidation("If-Match", stale);
        using var response = await Client.SendAsync(request);

        await AssertErrorAsync(response, HttpStatusCode.Conflict, "ERR_STATE_DELETE");
        Assert.Equal(2, (await GetValueAsync(key))!.GetValue<int>());
    }

    [Fact]
    public async Task Transaction_Returns204_AndAppliesUpsertsAndDeletes()
    {
        string kept = NewKey(), removed = NewKey();
        await SaveAsync(new JsonArray(Item(removed, 1)));

        using var response = await Client.PostAsync($"{State}/transaction", Json(Transaction(
            ("upsert", Item(kept, "new")),
            ("delete", new JsonObject { ["key"] = removed }))));

        Assert.Equal(HttpStatusCode.NoContent, response.StatusCode);
        Assert.Equal("new", (await GetValueAsync(kept))!.GetValue<string>());
        Assert.Null(await GetValueAsync(removed));
    }

    [Fact]
    public async Task Transaction_UnknownOperation_Returns400NotSupported()
    {
        using var response = await Client.PostAsync($"{State}/transaction", Json(Transaction(("merge", Item(NewKey(), 1)))));

        await AssertErrorAsync(response, HttpStatusCode.BadRequest, "ERR_NOT_SUPPORTED_STATE_OPERATION");
    }

    [Fact]
    public async Task Transaction_WithAnETagMismatch_Returns500StateTransaction_AndAppliesNothing()
    {
        string fresh = NewKey(), contested = NewKey();
        var stale = await SaveAndGetETagAsync(contested, 1);
        await SaveAsync(new JsonArray(Item(contested, 2)));

        using var response = await Client.PostAsync($"{State}/transaction", Json(Transaction(
            ("upsert", Item(fresh, "should not exist")),
            ("upsert", Item(contested, 3, stale)))));

        await AssertErrorAsync(response, HttpStatusCode.InternalServerError, "ERR_STATE_TRANSACTION");
        Assert.Null(await GetValueAsync(fresh));
        Assert.Equal(2, (await GetValueAsync(contested))!.GetValue<int>());
    }

    [Fact]
    public async Task LastWrite_WithoutETag_AlwaysWins()
    {
        var key = NewKey();
        await SaveAsync(new JsonArray(Item(key, 1)));

        await SaveAsync(new JsonArray(Item(key, 2)));

        Assert.Equal(2, (await GetValueAsync(key))!.GetValue<int>());
    }

    [Fact]
    public async Task LastWrite_WithCurrentETag_Succeeds_AndChangesTheETag()
    {
        var key = NewKey();
        var etag = await SaveAndGetETagAsync(key, 1);

        await SaveAsync(new JsonArray(Item(key, 2, etag)));

        var (value, newETag) = await GetWithETagAsync(key);
        Assert.Equal(2, value!.GetValue<int>());
        Assert.NotEqual(etag, newETag);
    }

    [Fact]
    public async Task FirstWrite_WithoutETag_SucceedsOnlyWhenTheKeyIsMissing()
    {
        var key = NewKey();
        var first = Item(key, 1);
        first["options"] = new JsonObject { ["concurrency"] = "first-write" };
        var second = Item(key, 2);
        second["options"] = new JsonObject { ["concurrency"] = "first-write" };

        using var created = await Client.PostAsync(State, Json(new JsonArray(first)));
        using var rejected = await Client.PostAsync(State, Json(new JsonArray(second)));

        Assert.Equal(HttpStatusCode.NoContent, created.StatusCode);

        // Dapr's PostgreSQL component reports this case as a plain error ("no item was updated"),
        // not as an ETag mismatch, so daprd answers 500 there; the other stores answer 409.
        var expected = Target.Kind == StateStoreKind.PostgreSql ? HttpStatusCode.InternalServerError : HttpStatusCode.Conflict;
        await AssertErrorAsync(rejected, expected, "ERR_STATE_SAVE");
        Assert.Equal(1, (await GetValueAsync(key))!.GetValue<int>());
    }

    [Fact]
    public async Task ETag_ForAMissingKey_IsAMismatch()
    {
        var key = NewKey();
        var other = NewKey();
        var etag = await SaveAndGetETagAsync(other, 1);

        using var response = await Client.PostAsync(State, Json(new JsonArray(Item(key, 1, etag))));

        await AssertErrorAsync(response, HttpStatusCode.Conflict, "ERR_STATE_SAVE");
        Assert.Null(await GetValueAsync(key));
    }

    [Fact]
    public async Task ConcurrentWriters_WithTheSameETag_ExactlyOneWins()
    {
        var key = NewKey();
        var etag = await SaveAndGetETagAsync(key, 0);

        var attempts = await Task.WhenAll(Enumerable.Range(1, 10).Select(async i =>
        {
            using var response = await Client.PostAsync(State, Json(new JsonArray(Item(key, i, etag))));
            return (i, response.StatusCode);
        }));

        var winners = attempts.Where(a => a.StatusCode == HttpStatusCode.NoContent).ToList();
        Assert.Single(winners);
        Assert.All(attempts.Except(winners), a => Assert.Equal(HttpStatusCode.Conflict, a.StatusCode));
        Assert.Equal(winners[0].i, (await GetValueAsync(key))!.GetValue<int>());
    }

    // ---- Section 2: service invocation ----

    [Fact]
    public async Task Invoke_ByPath_PassesVerbPathQueryAndBody()
    {
        using var response = await Client.PostAsync($"/v1.0/invoke/{Target.AppId}/method/echo/a/b?x=1&y=two", new StringContent("hello", Encoding.UTF8, "text/plain"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var echo = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("POST", echo["method"]!.GetValue<string>());
        Assert.Equal("/echo/a/b", echo["path"]!.GetValue<string>());
        Assert.Equal("?x=1&y=two", echo["query"]!.GetValue<string>());
        Assert.Equal("hello", echo["body"]!.GetValue<string>());
    }

    [Fact]
    public async Task Invoke_ByDaprAppIdHeader_OnAnUnroutedPath_ReachesTheApp_WithoutTheHeader()
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, "/echo/by-header?z=9") { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
        request.Headers.Add("dapr-app-id", Target.AppId);
        using var response = await Client.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var echo = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("PUT", echo["method"]!.GetValue<string>());
        Assert.Equal("/echo/by-header", echo["path"]!.GetValue<string>());
        Assert.Null(echo["headers"]!["dapr-app-id"]);
    }

    [Fact]
    public async Task Invoke_ReturnsTheAppsStatusHeadersAndBody_Non2xxIncluded()
    {
        using var response = await Client.GetAsync($"/v1.0/invoke/{Target.AppId}/method/status/418");

        Assert.Equal((HttpStatusCode)418, response.StatusCode);
        Assert.Equal("418", response.Headers.GetValues("x-echo-status").Single());
        Assert.Equal("status 418", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Invoke_AnAppThatCannotBeReached_Returns500DirectInvoke()
    {
        using var response = await Client.GetAsync("/v1.0/invoke/no-such-app-anywhere/method/echo/x");

        var message = await AssertErrorAsync(response, HttpStatusCode.InternalServerError, "ERR_DIRECT_INVOKE");
        Assert.StartsWith("failed to invoke, id: no-such-app-anywhere, err: ", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Invoke_WithoutAnyAppId_Returns404()
    {
        using var response = await Client.GetAsync("/not-a-dapr-route");

        await AssertErrorAsync(response, HttpStatusCode.NotFound, "ERR_DIRECT_INVOKE");
    }

    [Fact]
    public async Task Invoke_TheCalleeGetsTheCallersHeaders_MinusHopByHop_PlusDaprHeaders()
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, $"/v1.0/invoke/{Target.AppId}/method/echo/headers");
        request.Headers.Add("x-custom", "kept");
        request.Headers.Add("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01");
        request.Headers.Add("Keep-Alive", "timeout=5");
        request.Headers.TryAddWithoutValidation("Proxy-Connection", "keep-alive");
        using var response = await Target.CallerClient.SendAsync(request);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var headers = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["headers"]!;
        Assert.Equal("kept", headers["x-custom"]!.GetValue<string>());
        Assert.Equal(Target.CallerAppId, headers["dapr-caller-app-id"]!.GetValue<string>());
        Assert.Equal(Target.AppId, headers["dapr-callee-app-id"]!.GetValue<string>());
        Assert.Contains("0af7651916cd43dd8448eb211c80319c", headers["traceparent"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.NotNull(headers["x-forwarded-for"]);
        Assert.NotNull(headers["x-forwarded-host"]);
        Assert.NotNull(headers["x-forwarded-proto"]);
        Assert.Null(headers["keep-alive"]);
        Assert.Null(headers["proxy-connection"]);
    }

    [Fact]
    public async Task Invoke_FromAnotherAppsSidecar_CrossesBothSidecarsToTheApp()
    {
        using var response = await Target.CallerClient.PostAsync($"/v1.0/invoke/{Target.AppId}/method/echo/crossing", new StringContent("payload"));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("yes", response.Headers.GetValues("x-echo").Single());
        var echo = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal("payload", echo["body"]!.GetValue<string>());
        Assert.Equal(Target.CallerAppId, echo["headers"]!["dapr-caller-app-id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Invoke_StreamsTheAppsResponseThrough()
    {
        using var response = await Client.GetAsync($"/v1.0/invoke/{Target.AppId}/method/stream", HttpCompletionOption.ResponseHeadersRead);
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync());

        Assert.Equal("chunk0", await reader.ReadLineAsync());
        Assert.Equal("chunk1", await reader.ReadLineAsync());
        Assert.Equal("chunk2", await reader.ReadLineAsync());
    }

    // ---- Section 3: tokens ----

    [Fact]
    public async Task ApiToken_MissingOrWrong_Returns401InvalidApiToken()
    {
        if (Target.RequiredApiToken is null)
        {
            return;
        }

        using var bare = new HttpClient { BaseAddress = Target.Endpoint };
        using var missing = await bare.GetAsync("/v1.0/metadata");
        using var request = new HttpRequestMessage(HttpMethod.Get, "/v1.0/metadata");
        request.Headers.Add("dapr-api-token", "wrong");
        using var wrong = await bare.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, missing.StatusCode);
        Assert.Equal("invalid api token", (await missing.Content.ReadAsStringAsync()).TrimEnd('\n'));
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
    }

    [Fact]
    public async Task ApiToken_HealthEndpointsAreExempt()
    {
        using var bare = new HttpClient { BaseAddress = Target.Endpoint };

        using var health = await bare.GetAsync("/v1.0/healthz");
        using var outbound = await bare.GetAsync("/v1.0/healthz/outbound");

        Assert.Equal(HttpStatusCode.NoContent, health.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, outbound.StatusCode);
    }

    [Fact]
    public async Task ApiToken_IsStrippedBeforeForwarding_AndTheAppTokenIsSentInstead()
    {
        using var response = await Client.GetAsync($"/v1.0/invoke/{Target.AppId}/method/echo/token");

        var headers = JsonNode.Parse(await response.Content.ReadAsStringAsync())!["headers"]!;
        Assert.Equal(Target.ExpectedAppToken, headers["dapr-api-token"]?.GetValue<string>());
        Assert.NotEqual(Target.RequiredApiToken ?? "none", headers["dapr-api-token"]?.GetValue<string>());
    }

    // ---- Section 6: health and metadata ----

    [Fact]
    public async Task Healthz_WhenReady_Returns204_AndOutboundToo()
    {
        using var health = await Client.GetAsync("/v1.0/healthz");
        using var outbound = await Client.GetAsync("/v1.0/healthz/outbound");

        Assert.Equal(HttpStatusCode.NoContent, health.StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, outbound.StatusCode);
    }

    [Fact]
    public async Task Metadata_DescribesTheAppItsComponentsAndTheAppConnection()
    {
        using var response = await Client.GetAsync("/v1.0/metadata");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var metadata = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
        Assert.Equal(Target.AppId, metadata["id"]!.GetValue<string>());
        Assert.False(string.IsNullOrEmpty(metadata["runtimeVersion"]!.GetValue<string>()));
        var store = metadata["components"]!.AsArray().Single(c => c!["name"]!.GetValue<string>() == Target.StoreName)!;
        Assert.StartsWith("state.", store["type"]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("v1", store["version"]!.GetValue<string>());
        var capabilities = store["capabilities"]!.AsArray().Select(c => c!.GetValue<string>()).ToList();
        Assert.Contains("ETAG", capabilities);
        Assert.Contains("TRANSACTIONAL", capabilities);
        Assert.True(metadata["appConnectionProperties"]!["port"]!.GetValue<int>() > 0);
        Assert.NotNull(metadata["appConnectionProperties"]!["channelAddress"]);
        Assert.NotNull(metadata["actorRuntime"]!["runtimeStatus"]);
    }

    // ---- helpers ----

    private static JsonObject Item(string key, JsonNode? value, string? etag = null)
    {
        var item = new JsonObject { ["key"] = key, ["value"] = value };
        if (etag is not null)
        {
            item["etag"] = etag;
        }

        return item;
    }

    private static JsonObject Transaction(params (string Operation, JsonObject Request)[] operations) => new()
    {
        ["operations"] = new JsonArray([.. operations.Select(o => new JsonObject { ["operation"] = o.Operation, ["request"] = o.Request })]),
    };

    private static StringContent Json(JsonNode node) => new(node.ToJsonString(), Encoding.UTF8, "application/json");

    private async Task SaveAsync(JsonArray items)
    {
        using var response = await Client.PostAsync(State, Json(items));
        Assert.True(response.StatusCode == HttpStatusCode.NoContent, await response.Content.ReadAsStringAsync());
    }

    private async Task<string> SaveAndGetETagAsync(string key, JsonNode value)
    {
        await SaveAsync(new JsonArray(Item(key, value)));
        return (await GetWithETagAsync(key)).ETag!;
    }

    private async Task<JsonNode?> GetValueAsync(string key) => (await GetWithETagAsync(key)).Value;

    private async Task<(JsonNode? Value, string? ETag)> GetWithETagAsync(string key)
    {
        using var response = await Client.GetAsync($"{State}/{key}");
        if (response.StatusCode == HttpStatusCode.NoContent)
        {
            return (null, null);
        }

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return (JsonNode.Parse(await response.Content.ReadAsStringAsync()), ETagOf(response));
    }

    // Expiry is the store's business and its clock's: wait for it with a deadline rather than a fixed delay.
    private async Task WaitUntilMissingAsync(string key)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await GetValueAsync(key) is not null)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(100), deadline.Token);
        }
    }

    private static string? ETagOf(HttpResponseMessage response) =>
        response.Headers.TryGetValues("ETag", out var values) ? values.Single() : null;

    /// <summary>Asserts a Dapr error body and returns its message.</summary>
    private static async Task<string> AssertErrorAsync(HttpResponseMessage response, HttpStatusCode status, string errorCode)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(status == response.StatusCode, $"expected {(int)status}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var body = JsonDocument.Parse(text);
        Assert.Equal(errorCode, body.RootElement.GetProperty("errorCode").GetString());
        return body.RootElement.GetProperty("message").GetString()!;
    }
}

public sealed class InMemorySidecarContract(InMemoryTarget target) : SidecarContract<InMemoryTarget>(target);

public sealed class SqliteSidecarContract(SqliteTarget target) : SidecarContract<SqliteTarget>(target);

public sealed class PostgresSidecarContract(PostgresTarget target) : SidecarContract<PostgresTarget>(target);
