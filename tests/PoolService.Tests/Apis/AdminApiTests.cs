using System.Net;
using Gateway.PoolService.Tests.Support;

namespace Gateway.PoolService.Tests.Apis;

[Collection(SharedPool.Name)]
public sealed class AdminApiTests(PoolFixture stack)
{
    private PoolApi Api => stack.Api;

    [Theory]
    [InlineData(null, HttpStatusCode.Unauthorized)]
    [InlineData("wrong-token-but-long-enough", HttpStatusCode.Unauthorized)]
    [InlineData("test-admin-token-012345678", HttpStatusCode.Unauthorized)]
    [InlineData("test-admin-token-0123456789x", HttpStatusCode.Unauthorized)]
    [InlineData(PoolFixture.AdminToken, HttpStatusCode.OK)]
    public async Task AdminRoutes_AnswerOnlyTheConfiguredBearerToken(string? token, HttpStatusCode expected)
    {
        using var api = new PoolApi(new HttpClient { BaseAddress = Api.Http.BaseAddress }, adminToken: null);

        var answers = new[]
        {
            await api.SendAsync(HttpMethod.Get, "/admin/backends", null, token: token),
            await api.SendAsync(HttpMethod.Get, "/admin/pools", null, token: token),
            await api.SendAsync(HttpMethod.Get, "/admin/aliases", null, token: token),
        };

        Assert.All(answers, a => Assert.Equal(expected, a.Status));
        if (expected == HttpStatusCode.Unauthorized)
        {
            Assert.All(answers, a => Assert.Equal("application/problem+json", a.MediaType));
            Assert.All(answers, a => Assert.DoesNotContain(PoolFixture.AdminToken, a.Body, StringComparison.Ordinal));
        }
    }

    [Fact]
    public async Task PutBackend_WithoutToken_StoresNothing()
    {
        var pool = PoolFixture.Name("pool");
        (await Api.PutPoolAsync(pool, 10)).EnsureStatus(HttpStatusCode.Created);
        var id = PoolFixture.Name("b");

        var refused = await Api.SendAsync(HttpMethod.Put, $"/admin/backends/{id}", PoolApi.Backend(pool, "m", 10), admin: false);
        var read = await Api.SendAsync(HttpMethod.Get, $"/admin/backends/{id}", null);

        Assert.Equal(HttpStatusCode.Unauthorized, refused.Status);
        Assert.Equal(HttpStatusCode.NotFound, read.Status);
    }

    [Fact]
    public async Task Backend_KeyRoundTrip_IsMaskedInEveryAdminRead_AndClearOnlyInTheLease()
    {
        const string apiKey = "sk-proj-RoundTrip0123456789abcdefWXYZ";
        var pool = PoolFixture.Name("pool");
        var id = PoolFixture.Name("keyed");
        var model = PoolFixture.Name("model");
        (await Api.PutPoolAsync(pool, 20)).EnsureStatus(HttpStatusCode.Created);

        var created = (await Api.PutBackendAsync(id, PoolApi.Backend(pool, model, 10, apiKey))).EnsureStatus(HttpStatusCode.Created);
        var read = (await Api.SendAsync(HttpMethod.Get, $"/admin/backends/{id}", null)).EnsureStatus(HttpStatusCode.OK);
        var list = (await Api.SendAsync(HttpMethod.Get, "/admin/backends", null)).EnsureStatus(HttpStatusCode.OK);
        var lease = (await Api.LeaseAsync(model)).EnsureStatus(HttpStatusCode.OK);

        Assert.Equal("sk-…WXYZ", created["apiKey"]);
        Assert.Equal("set", created["apiKeyStatus"]);
        Assert.Equal("sk-…WXYZ", read["apiKey"]);
        foreach (var answer in new[] { created, read, list })
        {
            Assert.DoesNotContain("RoundTrip0123", answer.Body, StringComparison.Ordinal);
        }

        Assert.Equal(apiKey, lease["apiKey"]);
    }

    [Fact]
    public async Task Backend_KeyIsSealedInTheStore_OmittedKeepsIt_EmptyRemovesIt()
    {
        const string apiKey = "sk-stored-sealed-0123456789abcdef";
        var pool = PoolFixture.Name("pool");
        var id = PoolFixture.Name("sealed");
        var model = PoolFixture.Name("model");
        (await Api.PutPoolAsync(pool, 20)).EnsureStatus(HttpStatusCode.Created);
        (await Api.PutBackendAsync(id, PoolApi.Backend(pool, model, 10, apiKey))).EnsureStatus(HttpStatusCode.Created);

        using var sidecar = new HttpClient { BaseAddress = stack.Sidecar.HttpEndpoint };
        var stored = await sidecar.GetStringAsync("/v1.0/state/statestore/registry");
        var kept = (await Api.PutBackendAsync(id, PoolApi.Backend(pool, model, 20))).EnsureStatus(HttpStatusCode.OK);
        var keptLease = (await Api.LeaseAsync(model)).EnsureStatus(HttpStatusCode.OK);
        var removed = (await Api.PutBackendAsync(id, PoolApi.Backend(pool, model, 20, apiKey: ""))).EnsureStatus(HttpStatusCode.OK);
        var removedLease = (await Api.LeaseAsync(model)).EnsureStatus(HttpStatusCode.OK);

        Assert.DoesNotContain(apiKey, stored, StringComparison.Ordinal);
        Assert.Matches("\"apiKey\":\"v1:[A-Za-z0-9_-]{16}:[A-Za-z0-9_-]+:[A-Za-z0-9_-]{22}\"", stored);
        Assert.Equal("set", kept["apiKeyStatus"]);
        Assert.Equal(apiKey, keptLease["apiKey"]);
        Assert.Equal("none", removed["apiKeyStatus"]);
        Assert.Null(removedLease["apiKey"]);
    }

    public static TheoryData<string, string> MalformedBackends => new()
    {
        { "not json", "{" },
        { "not an object", "[1,2]" },
        { "null", "null" },
        { "unknown field", """{"pool":"P","baseUrl":"http://127.0.0.1:9","models":{"m":"m"},"rpm":5,"rmp":5}""" },
        { "rpm as text", """{"pool":"P","baseUrl":"http://127.0.0.1:9","models":{"m":"m"},"rpm":"many"}""" },
        { "rpm zero", """{"pool":"P","baseUrl":"http://127.0.0.1:9","models":{"m":"m"},"rpm":0}""" },
        { "no models", """{"pool":"P","baseUrl":"http://127.0.0.1:9","models":{},"rpm":5}""" },
        { "bad url", """{"pool":"P","baseUrl":"file:///etc/passwd","models":{"m":"m"},"rpm":5}""" },
        { "unknown pool", """{"pool":"no-such-pool","baseUrl":"http://127.0.0.1:9","models":{"m":"m"},"rpm":5}""" },
        { "key with newline", """{"pool":"P","baseUrl":"http://127.0.0.1:9","apiKey":"sk-secret-LEAKME\r\nX-Evil: 1","models":{"m":"m"},"rpm":5}""" },
        { "price for another model", """{"pool":"P","baseUrl":"http://127.0.0.1:9","models":{"m":"m"},"pricing":{"x":{"inputPerMillion":1,"outputPerMillion":1}},"rpm":5}""" },
    };

    [Theory]
    [MemberData(nameof(MalformedBackends))]
    public async Task PutBackend_Malformed_Answers400_StoresNothing_AndNeverEchoesTheKey(string why, string body)
    {
        var pool = PoolFixture.Name("pool");
        (await Api.PutPoolAsync(pool, 30)).EnsureStatus(HttpStatusCode.Created);
        var id = PoolFixture.Name("bad");
        var before = await Api.SendAsync(HttpMethod.Get, "/admin/backends", null);

        var answer = await Api.SendAsync(HttpMethod.Put, $"/admin/backends/{id}", null, rawBody: body.Replace("\"P\"", $"\"{pool}\"", StringComparison.Ordinal));
        var after = await Api.SendAsync(HttpMethod.Get, "/admin/backends", null);
        var read = await Api.SendAsync(HttpMethod.Get, $"/admin/backends/{id}", null);

        Assert.True(answer.Status == HttpStatusCode.BadRequest, $"{why}: {(int)answer.Status} {answer.Body}");
        Assert.Equal("application/problem+json", answer.MediaType);
        Assert.Equal("invalid_request", answer["code"]);
        Assert.DoesNotContain("LEAKME", answer.Body, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, read.Status);
        Assert.Equal(before.Json.AsArray().Count, after.Json.AsArray().Count);
    }

    [Fact]
    public async Task PutBackend_InvalidReplacement_LeavesTheStoredBackendAsItWas()
    {
        var pool = PoolFixture.Name("pool");
        var id = PoolFixture.Name("b");
        var model = PoolFixture.Name("model");
        await Api.SetUpPoolAsync(pool, 40, model, (id, 7));

        var refused = await Api.PutBackendAsync(id, PoolApi.Backend(pool, model, rpm: -1));
        var read = (await Api.SendAsync(HttpMethod.Get, $"/admin/backends/{id}", null)).EnsureStatus(HttpStatusCode.OK);

        Assert.Equal(HttpStatusCode.BadRequest, refused.Status);
        Assert.Contains("rpm", refused.Json["errors"]!.AsObject().Select(e => e.Key));
        Assert.Equal("7", read["rpm"]);
    }

    [Fact]
    public async Task Pools_CrudInOrder_AndAPoolWithBackendsCannotBeDeleted()
    {
        var first = PoolFixture.Name("pool");
        var second = PoolFixture.Name("pool");
        var id = PoolFixture.Name("b");
        (await Api.PutPoolAsync(second, 51)).EnsureStatus(HttpStatusCode.Created);
        (await Api.PutPoolAsync(first, 50)).EnsureStatus(HttpStatusCode.Created);
        (await Api.PutBackendAsync(id, PoolApi.Backend(first, PoolFixture.Name("model"), 5))).EnsureStatus(HttpStatusCode.Created);

        var list = (await Api.SendAsync(HttpMethod.Get, "/admin/pools", null)).EnsureStatus(HttpStatusCode.OK);
        var names = list.Json.AsArray().Select(p => p!["name"]!.ToString()).ToList();
        var reordered = (await Api.PutPoolAsync(second, 49)).EnsureStatus(HttpStatusCode.OK);
        var busy = await Api.SendAsync(HttpMethod.Delete, $"/admin/pools/{first}", null);
        var deleted = await Api.SendAsync(HttpMethod.Delete, $"/admin/pools/{second}", null);
        var gone = await Api.SendAsync(HttpMethod.Get, $"/admin/pools/{second}", null);
        var invalid = await Api.SendAsync(HttpMethod.Put, $"/admin/pools/{PoolFixture.Name("pool")}", null, rawBody: "{}");

        Assert.True(names.IndexOf(first) < names.IndexOf(second));
        Assert.Equal("49", reordered["order"]);
        Assert.Equal(HttpStatusCode.Conflict, busy.Status);
        Assert.Contains(id, busy["detail"], StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NoContent, deleted.Status);
        Assert.Equal(HttpStatusCode.NotFound, gone.Status);
        Assert.Equal(HttpStatusCode.BadRequest, invalid.Status);
    }

    [Fact]
    public async Task Aliases_MustNameAServedModel_AndCannotShadowOne()
    {
        var pool = PoolFixture.Name("pool");
        var model = PoolFixture.Name("model");
        await Api.SetUpPoolAsync(pool, 60, model, (PoolFixture.Name("b"), 5));
        var alias = PoolFixture.Name("alias");

        var created = await Api.PutAliasAsync(alias, model);
        var unknownTarget = await Api.PutAliasAsync(PoolFixture.Name("alias"), PoolFixture.Name("nothing"));
        var shadowing = await Api.PutAliasAsync(model, alias);
        var deleted = await Api.SendAsync(HttpMethod.Delete, $"/admin/aliases/{alias}", null);
        var again = await Api.SendAsync(HttpMethod.Delete, $"/admin/aliases/{alias}", null);

        Assert.Equal(HttpStatusCode.Created, created.Status);
        Assert.Equal(HttpStatusCode.BadRequest, unknownTarget.Status);
        Assert.Equal(HttpStatusCode.BadRequest, shadowing.Status);
        Assert.Equal(HttpStatusCode.NoContent, deleted.Status);
        Assert.Equal(HttpStatusCode.NotFound, again.Status);
    }

    [Fact]
    public async Task Delete_RemovesTheBackend_AndLeasesStopGoingToIt()
    {
        var pool = PoolFixture.Name("pool");
        var id = PoolFixture.Name("b");
        var model = PoolFixture.Name("model");
        await Api.SetUpPoolAsync(pool, 70, model, (id, 5));

        var deleted = await Api.SendAsync(HttpMethod.Delete, $"/admin/backends/{id}", null);
        var again = await Api.SendAsync(HttpMethod.Delete, $"/admin/backends/{id}", null);
        var lease = await Api.LeaseAsync(model);

        Assert.Equal(HttpStatusCode.NoContent, deleted.Status);
        Assert.Equal(HttpStatusCode.NotFound, again.Status);
        Assert.Equal(HttpStatusCode.NotFound, lease.Status);
    }

    [Fact]
    public async Task Secrets_NeverAppearInAnyLogLineOrTrace()
    {
        const string apiKey = "sk-never-logged-0123456789abcdefghij";
        var pool = PoolFixture.Name("pool");
        var id = PoolFixture.Name("secret");
        var model = PoolFixture.Name("model");
        (await Api.PutPoolAsync(pool, 80)).EnsureStatus(HttpStatusCode.Created);
        (await Api.PutBackendAsync(id, PoolApi.Backend(pool, model, 5, apiKey, healthPath: "/health"))).EnsureStatus(HttpStatusCode.Created);
        (await Api.SendAsync(HttpMethod.Put, $"/admin/backends/{id}", null, rawBody: $$"""{"pool":"{{pool}}","apiKey":"{{apiKey}}","rpm":0}""")).EnsureStatus(HttpStatusCode.BadRequest);
        (await Api.LeaseAsync(model)).EnsureStatus(HttpStatusCode.OK);
        (await Api.SendAsync(HttpMethod.Get, $"/admin/backends/{id}", null)).EnsureStatus(HttpStatusCode.OK);
        stack.Clock.Advance(TimeSpan.FromSeconds(31));
        await stack.Replica.Prober.ProbeDueAsync(CancellationToken.None);

        Assert.NotEmpty(stack.Logs.Lines);
        Assert.DoesNotContain(stack.Logs.Lines, l => l.Contains("never-logged", StringComparison.Ordinal) || l.Contains(PoolFixture.AdminToken, StringComparison.Ordinal) || l.Contains(PoolFixture.EncryptionKey, StringComparison.Ordinal));
        Assert.NotEmpty(stack.Activities.Lines);
        Assert.DoesNotContain(stack.Activities.Lines, l => l.Contains("never-logged", StringComparison.Ordinal) || l.Contains(PoolFixture.AdminToken, StringComparison.Ordinal));
    }
}
