using System.Net;
using Gateway.PoolService.Tests.Support;

namespace Gateway.PoolService.Tests.Apis;

[Collection(SharedPool.Name)]
public sealed class LeasesApiTests(PoolFixture stack)
{
    private PoolApi Api => stack.Api;

    [Fact]
    public async Task Lease_WalksPoolsInOrder_FallingBackWhenThePrimaryIsFull_Then503WithTheSoonestRecovery()
    {
        var model = PoolFixture.Name("model");
        var (primary, fallback) = (PoolFixture.Name("primary"), PoolFixture.Name("fallback"));
        var (p1, f1) = (PoolFixture.Name("p"), PoolFixture.Name("f"));

        // Created fallback first: the order field decides, not creation.
        await Api.SetUpPoolAsync(fallback, 101, model, (f1, 2));
        await Api.SetUpPoolAsync(primary, 100, model, (p1, 2));

        var leases = new List<Answer>();
        for (var i = 0; i < 4; i++)
        {
            leases.Add((await Api.LeaseAsync(model)).EnsureStatus(HttpStatusCode.OK));
        }

        var exhausted = await Api.LeaseAsync(model);

        Assert.Equal([p1, p1, f1, f1], leases.Select(l => l["backendId"]));
        Assert.Equal([primary, primary, fallback, fallback], leases.Select(l => l["pool"]));
        Assert.All(leases, l => Assert.Equal("false", l["emergency"]));
        Assert.Equal(model + "-upstream", leases[0]["upstreamModel"]);
        Assert.Equal("http://127.0.0.1:9/v1", leases[0]["baseUrl"]);
        Assert.Equal("30", leases[0]["timeoutSeconds"]);
        Assert.Equal(2m, leases[0].Json["pricing"]!["inputPerMillion"]!.GetValue<decimal>());
        Assert.True(Guid.TryParse(leases[0]["leaseId"], out var leaseId) && leaseId.Version == 7);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, exhausted.Status);
        Assert.Equal("application/problem+json", exhausted.MediaType);
        Assert.Equal("urn:gateway:problem:pool:all-pools-exhausted", exhausted["type"]);
        Assert.Equal("all_pools_exhausted", exhausted["code"]);
        Assert.Equal("AllPoolsExhausted", exhausted["title"]);
        Assert.Equal(TimeSpan.FromSeconds(61), exhausted.RetryAfter);
        var denials = exhausted.Json["denials"]!.AsArray();
        Assert.Equal([p1, f1], denials.Select(d => d!["backendId"]!.ToString()));
        Assert.All(denials, d => Assert.Equal("rpm", d!["reason"]!.ToString()));
    }

    [Fact]
    public async Task Lease_AmongBackendsOfOnePool_SpreadsByWeight()
    {
        var model = PoolFixture.Name("model");
        var pool = PoolFixture.Name("pool");
        var (light, heavy) = (PoolFixture.Name("light"), PoolFixture.Name("heavy"));
        (await Api.PutPoolAsync(pool, 110)).EnsureStatus(HttpStatusCode.Created);
        (await Api.PutBackendAsync(light, PoolApi.Backend(pool, model, 10_000, weight: 1))).EnsureStatus(HttpStatusCode.Created);
        (await Api.PutBackendAsync(heavy, PoolApi.Backend(pool, model, 10_000, weight: 3))).EnsureStatus(HttpStatusCode.Created);

        var picks = new List<string?>();
        for (var i = 0; i < 200; i++)
        {
            picks.Add((await Api.LeaseAsync(model)).EnsureStatus(HttpStatusCode.OK)["backendId"]);
        }

        var lightShare = picks.Count(p => p == light) / 200.0;
        Assert.InRange(lightShare, 0.15, 0.35);
    }

    [Fact]
    public async Task Lease_ForAnUnknownModel_Answers404ListingTheKnownModelsAndAliases()
    {
        var model = PoolFixture.Name("model");
        var alias = PoolFixture.Name("alias");
        await Api.SetUpPoolAsync(PoolFixture.Name("pool"), 120, model, (PoolFixture.Name("b"), 5));
        (await Api.PutAliasAsync(alias, model)).EnsureStatus(HttpStatusCode.Created);

        var unknown = await Api.LeaseAsync("no-such-model");

        Assert.Equal(HttpStatusCode.NotFound, unknown.Status);
        Assert.Equal("urn:gateway:problem:pool:unknown-model", unknown["type"]);
        var known = unknown.Json["knownModels"]!.AsArray().Select(m => m!.ToString()).ToList();
        Assert.Contains(model, known);
        Assert.Contains(alias, known);
    }

    [Fact]
    public async Task Lease_ByAlias_LeasesTheCanonicalModel()
    {
        var model = PoolFixture.Name("model");
        var alias = PoolFixture.Name("alias");
        var id = PoolFixture.Name("b");
        await Api.SetUpPoolAsync(PoolFixture.Name("pool"), 130, model, (id, 5));
        (await Api.PutAliasAsync(alias, model)).EnsureStatus(HttpStatusCode.Created);

        var lease = (await Api.LeaseAsync(alias)).EnsureStatus(HttpStatusCode.OK);

        Assert.Equal(id, lease["backendId"]);
        Assert.Equal(model, lease["model"]);
        Assert.Equal(model + "-upstream", lease["upstreamModel"]);
    }

    [Fact]
    public async Task Lease_SkipsExcludedAndDisabledBackends()
    {
        var model = PoolFixture.Name("model");
        var pool = PoolFixture.Name("pool");
        var (a, b, off) = (PoolFixture.Name("a"), PoolFixture.Name("b"), PoolFixture.Name("off"));
        await Api.SetUpPoolAsync(pool, 140, model, (a, 50), (b, 50));
        (await Api.PutBackendAsync(off, PoolApi.Backend(pool, model, 50, enabled: false))).EnsureStatus(HttpStatusCode.Created);

        var leases = new List<string?>();
        for (var i = 0; i < 10; i++)
        {
            leases.Add((await Api.LeaseAsync(model, a)).EnsureStatus(HttpStatusCode.OK)["backendId"]);
        }

        var none = await Api.LeaseAsync(model, a, b);

        Assert.All(leases, id => Assert.Equal(b, id));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, none.Status);
        Assert.Equal("disabled", Assert.Single(none.Json["denials"]!.AsArray())!["reason"]!.ToString());
        Assert.Equal(TimeSpan.FromSeconds(30), none.RetryAfter);
    }

    [Fact]
    public async Task Lease_WhenEveryBackendCoolsDown_GrantsTheEmergencyTrickle_ThenRecovers()
    {
        var model = PoolFixture.Name("model");
        var id = PoolFixture.Name("hot");
        await Api.SetUpPoolAsync(PoolFixture.Name("pool"), 150, model, (id, 60));
        var first = (await Api.LeaseAsync(model)).EnsureStatus(HttpStatusCode.OK);
        (await Api.ReportAsync(id, new { leaseId = first["leaseId"], outcome = "rate_limited", latencyMs = 12, retryAfterSeconds = 120, model })).EnsureStatus(HttpStatusCode.OK);

        var emergency = new List<Answer>();
        for (var i = 0; i < 6; i++)
        {
            emergency.Add((await Api.LeaseAsync(model)).EnsureStatus(HttpStatusCode.OK));
        }

        var exhausted = await Api.LeaseAsync(model);
        stack.Clock.Advance(TimeSpan.FromSeconds(62));
        var trickleAgain = (await Api.LeaseAsync(model)).EnsureStatus(HttpStatusCode.OK);
        stack.Clock.Advance(TimeSpan.FromSeconds(60));
        var recovered = (await Api.LeaseAsync(model)).EnsureStatus(HttpStatusCode.OK);

        Assert.All(emergency, l => Assert.Equal("true", l["emergency"]));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, exhausted.Status);
        Assert.Equal("emergency_exhausted", exhausted.Json["denials"]![0]!["reason"]!.ToString());
        Assert.InRange(exhausted.RetryAfter!.Value.TotalSeconds, 60, 61);
        Assert.Equal("true", trickleAgain["emergency"]);
        Assert.Equal("false", recovered["emergency"]);
    }

    [Fact]
    public async Task Lease_ToAnEjectedBackend_GetsNoEmergencyTrickle_AndRetryAfterIsTheEjectionLeft()
    {
        var model = PoolFixture.Name("model");
        var id = PoolFixture.Name("broken");
        await Api.SetUpPoolAsync(PoolFixture.Name("pool"), 160, model, (id, 60));
        for (var i = 0; i < 5; i++)
        {
            (await Api.ReportAsync(id, new { outcome = "timeout", latencyMs = 30_000, model })).EnsureStatus(HttpStatusCode.OK);
        }

        var refused = await Api.LeaseAsync(model);
        stack.Clock.Advance(TimeSpan.FromSeconds(30));
        var back = await Api.LeaseAsync(model);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.Status);
        Assert.Equal("ejected", refused.Json["denials"]![0]!["reason"]!.ToString());
        Assert.Equal(TimeSpan.FromSeconds(30), refused.RetryAfter);
        Assert.Equal(HttpStatusCode.OK, back.Status);
    }

    [Fact]
    public async Task Lease_RetryAfterOf503_IsTheSoonestRecoveryAmongAllBackends()
    {
        var model = PoolFixture.Name("model");
        var (cooling, full) = (PoolFixture.Name("cooling"), PoolFixture.Name("full"));
        await Api.SetUpPoolAsync(PoolFixture.Name("pool"), 170, model, (cooling, 10)); // a trickle of 1 a minute
        await Api.SetUpPoolAsync(PoolFixture.Name("pool"), 171, model, (full, 1));
        (await Api.ReportAsync(cooling, new { outcome = "rate_limited", retryAfterSeconds = 20, model })).EnsureStatus(HttpStatusCode.OK);
        (await Api.LeaseAsync(model)).EnsureStatus(HttpStatusCode.OK); // full's only grant this minute
        var trickle = (await Api.LeaseAsync(model)).EnsureStatus(HttpStatusCode.OK); // cooling's one emergency grant
        stack.Clock.Advance(TimeSpan.FromSeconds(2.5));

        var exhausted = await Api.LeaseAsync(model);

        Assert.Equal(cooling, trickle["backendId"]);
        Assert.Equal("true", trickle["emergency"]);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, exhausted.Status);
        Assert.Equal(TimeSpan.FromSeconds(18), exhausted.RetryAfter); // 17.5 s of cooldown left, rounded up
    }

    [Fact]
    public async Task Cooldown_EscalatesWithConsecutive429s_AndASuccessResetsIt()
    {
        var model = PoolFixture.Name("model");
        var id = PoolFixture.Name("b");
        await Api.SetUpPoolAsync(PoolFixture.Name("pool"), 180, model, (id, 600));

        var first = (await Api.ReportAsync(id, new { outcome = "rate_limited", model })).EnsureStatus(HttpStatusCode.OK);
        var second = (await Api.ReportAsync(id, new { outcome = "rate_limited", model })).EnsureStatus(HttpStatusCode.OK);
        var third = (await Api.ReportAsync(id, new { outcome = "rate_limited", model })).EnsureStatus(HttpStatusCode.OK);
        var emergency = (await Api.LeaseAsync(model)).EnsureStatus(HttpStatusCode.OK);
        var reset = (await Api.ReportAsync(id, new { leaseId = emergency["leaseId"], outcome = "success", latencyMs = 80, model })).EnsureStatus(HttpStatusCode.OK);
        var normal = (await Api.LeaseAsync(model)).EnsureStatus(HttpStatusCode.OK);

        var now = stack.Clock.GetUtcNow();
        Assert.Equal(now.AddSeconds(5), first.Json["status"]!["cooldownUntil"]!.GetValue<DateTimeOffset>());
        Assert.Equal(now.AddSeconds(10), second.Json["status"]!["cooldownUntil"]!.GetValue<DateTimeOffset>());
        Assert.Equal(now.AddSeconds(20), third.Json["status"]!["cooldownUntil"]!.GetValue<DateTimeOffset>());
        Assert.Equal("3", third.Json["status"]!["consecutiveRateLimits"]!.ToString());
        Assert.Equal("cooldown", third.Json["status"]!["state"]!.ToString());
        Assert.Equal("true", emergency["emergency"]);
        Assert.Equal("available", reset.Json["status"]!["state"]!.ToString());
        Assert.Equal("0", reset.Json["status"]!["consecutiveRateLimits"]!.ToString());
        Assert.Equal("false", normal["emergency"]);
    }

    [Theory]
    [InlineData("{}", "model")]
    [InlineData("""{"model":""}""", "model")]
    [InlineData("""{"model":"m","exclude":"x"}""", "exclude")]
    [InlineData("""{"model":"m","Model":"n"}""", "model")]
    [InlineData("not json", "body")]
    public async Task Lease_Malformed_Answers400(string body, string field)
    {
        var answer = await Api.SendAsync(HttpMethod.Post, "/leases", null, admin: false, rawBody: body);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains(field, answer.Json["errors"]!.AsObject().Select(e => e.Key));
    }
}
