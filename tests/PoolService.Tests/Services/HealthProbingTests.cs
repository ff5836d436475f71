using System.Net;
using Gateway.PoolService.Tests.Support;

namespace Gateway.PoolService.Tests.Services;

[Collection(SharedPool.Name)]
public sealed class HealthProbingTests(PoolFixture stack)
{
    private PoolApi Api => stack.Api;

    [Fact]
    public async Task Probe_KFailuresInARow_MakeTheBackendUnhealthy_NoLeaseNotEvenEmergency_UntilAProbePasses()
    {
        await using var upstream = await FakeBackend.StartAsync();
        var model = PoolFixture.Name("model");
        var id = PoolFixture.Name("probed");
        const string apiKey = "sk-probe-bearer-0123456789abcdef";
        var pool = PoolFixture.Name("pool");
        (await Api.PutPoolAsync(pool, 300)).EnsureStatus(HttpStatusCode.Created);
        (await Api.PutBackendAsync(id, PoolApi.Backend(pool, model, 60, apiKey, baseUrl: upstream.BaseUrl, healthPath: "/health", healthIntervalSeconds: 10))).EnsureStatus(HttpStatusCode.Created);

        var healthy = await ProbeAsync(id);
        upstream.Status = HttpStatusCode.ServiceUnavailable;
        stack.Clock.Advance(TimeSpan.FromSeconds(10));
        var firstFailure = await ProbeAsync(id);
        var stillLeased = await Api.LeaseAsync(model);
        stack.Clock.Advance(TimeSpan.FromSeconds(5));
        var notDueYet = await stack.Replica.Prober.ProbeDueAsync(CancellationToken.None);
        stack.Clock.Advance(TimeSpan.FromSeconds(5));
        var secondFailure = await ProbeAsync(id);
        (await Api.ReportAsync(id, new { outcome = "rate_limited", retryAfterSeconds = 60, model })).EnsureStatus(HttpStatusCode.OK);
        var refused = await Api.LeaseAsync(model);
        upstream.Status = HttpStatusCode.OK;
        stack.Clock.Advance(TimeSpan.FromSeconds(10));
        var recovered = await ProbeAsync(id);
        var leased = await Api.LeaseAsync(model);

        Assert.Equal("available", healthy);
        Assert.Equal("available", firstFailure);
        Assert.Equal(HttpStatusCode.OK, stillLeased.Status);
        Assert.DoesNotContain(notDueYet, r => r.BackendId == id);
        Assert.Equal("unhealthy", secondFailure);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.Status);
        Assert.Equal("unhealthy", refused.Json["denials"]![0]!["reason"]!.ToString());
        Assert.Equal(TimeSpan.FromSeconds(10), refused.RetryAfter);
        Assert.Equal("cooldown", recovered);
        Assert.Equal("true", leased["emergency"]);
        Assert.All(upstream.Authorizations, a => Assert.Equal("Bearer " + apiKey, a));
        Assert.Equal(4, upstream.Probes);
    }

    [Fact]
    public async Task Probe_ThatOutlastsTheTimeout_Fails()
    {
        await using var upstream = await FakeBackend.StartAsync();
        var id = PoolFixture.Name("slow");
        var pool = PoolFixture.Name("pool");
        (await Api.PutPoolAsync(pool, 310)).EnsureStatus(HttpStatusCode.Created);
        (await Api.PutBackendAsync(id, PoolApi.Backend(pool, PoolFixture.Name("model"), 60, baseUrl: upstream.BaseUrl, healthPath: "/health"))).EnsureStatus(HttpStatusCode.Created);
        upstream.Delay = TimeSpan.FromSeconds(3);

        var results = await stack.Replica.Prober.ProbeDueAsync(CancellationToken.None);

        var result = Assert.Single(results, r => r.BackendId == id);
        Assert.False(result.Passed);
        Assert.Null(result.StatusCode);
    }

    [Fact]
    public async Task Probe_OfAnUnreachableBackend_Fails()
    {
        var id = PoolFixture.Name("gone");
        var pool = PoolFixture.Name("pool");
        (await Api.PutPoolAsync(pool, 320)).EnsureStatus(HttpStatusCode.Created);
        (await Api.PutBackendAsync(id, PoolApi.Backend(pool, PoolFixture.Name("model"), 60, baseUrl: "http://127.0.0.1:9/v1", healthPath: "/health"))).EnsureStatus(HttpStatusCode.Created);

        var results = await stack.Replica.Prober.ProbeDueAsync(CancellationToken.None);

        Assert.False(Assert.Single(results, r => r.BackendId == id).Passed);
        Assert.Equal(1, (await Api.StatusAsync(id)).Json["consecutiveProbeFailures"]!.GetValue<int>());
    }

    private async Task<string> ProbeAsync(string id)
    {
        var results = await stack.Replica.Prober.ProbeDueAsync(CancellationToken.None);
        return Gateway.PoolService.Model.Names.Of(Assert.Single(results, r => r.BackendId == id).Status!.State);
    }
}
