using System.Collections.Immutable;
using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Gateway.PoolService.Model;
using Gateway.PoolService.Services;
using Gateway.PoolService.Tests.Support;

namespace Gateway.PoolService.Tests.Services;

/// <summary>
/// What the <c>Backend</c> actor writes to the state store: every change of decision state, before
/// it answers, and nothing for a turn that changes only observations. Seen from outside: the
/// stored document as the sidecar reads it back, and the actor's state transactions as this
/// process sends them to its sidecar (HTTP client spans).
/// </summary>
[Collection(SharedPool.Name)]
public sealed class BackendActorWritesTests(PoolFixture stack)
{
    private static readonly HttpClient Sidecar = new() { Timeout = TimeSpan.FromSeconds(30) };

    private PoolApi Api => stack.Api;

    [Theory]
    [InlineData("success", "success", false)]
    [InlineData("success", "client_error", false)]
    [InlineData("server_error", "success", true)]
    [InlineData("server_error", "client_error", true)]
    [InlineData("server_error", "server_error", true)]
    [InlineData("rate_limited", "success", true)]
    [InlineData("rate_limited", "rate_limited", true)]
    [InlineData("success", "rate_limited", true)]
    [InlineData("success", "timeout", true)]
    public async Task Report_WritesOnlyWhenItChangesDecisionState_AndTheStatusShowsItEitherWay(string first, string second, bool writes)
    {
        var (model, id) = (PoolFixture.Name("model"), PoolFixture.Name("w"));
        await Api.SetUpPoolAsync(PoolFixture.Name("pool"), 400, model, (id, 100));
        (await Api.LeaseAsync(model)).EnsureStatus(HttpStatusCode.OK);
        (await Api.ReportAsync(id, new { outcome = first, latencyMs = 100, model })).EnsureStatus(HttpStatusCode.OK);
        var stored = await StoredAsync(id);
        var written = Writes(id);
        stack.Clock.Advance(TimeSpan.FromSeconds(1));
        var reportedAt = stack.Clock.GetUtcNow();

        (await Api.ReportAsync(id, new { outcome = second, latencyMs = 200, model })).EnsureStatus(HttpStatusCode.OK);
        var status = (await Api.StatusAsync(id)).EnsureStatus(HttpStatusCode.OK);

        Assert.Equal(writes ? 1 : 0, Writes(id) - written);
        Assert.Equal(writes, stored != await StoredAsync(id));
        Assert.Equal(second, status["lastOutcome"]);
        Assert.Equal(reportedAt, status.Json["lastOutcomeAt"]!.GetValue<DateTimeOffset>());
    }

    [Fact]
    public async Task Status_AfterASuccessThatWroteNothing_ShowsItsLatency_AndTheNextGrantStoresIt()
    {
        var (model, id) = (PoolFixture.Name("model"), PoolFixture.Name("w"));
        await Api.SetUpPoolAsync(PoolFixture.Name("pool"), 401, model, (id, 100));
        (await Api.LeaseAsync(model)).EnsureStatus(HttpStatusCode.OK);
        (await Api.ReportAsync(id, new { outcome = "server_error", model })).EnsureStatus(HttpStatusCode.OK);
        (await Api.ReportAsync(id, new { outcome = "success", latencyMs = 100, model })).EnsureStatus(HttpStatusCode.OK);
        var written = Writes(id);

        var report = (await Api.ReportAsync(id, new { outcome = "success", latencyMs = 200, model })).EnsureStatus(HttpStatusCode.OK);
        var status = (await Api.StatusAsync(id)).EnsureStatus(HttpStatusCode.OK);
        var storedBeforeGrant = await StoredAsync(id);
        (await Api.LeaseAsync(model)).EnsureStatus(HttpStatusCode.OK);
        var storedWithGrant = await StoredAsync(id);

        // The mean weighs a new sample 0.2: 100 + 0.2 × (200 − 100).
        Assert.Equal(120, report.Json["status"]!["latencyEwmaMs"]!.GetValue<double>(), 6);
        Assert.Equal(120, status.Json["latencyEwmaMs"]!.GetValue<double>(), 6);
        Assert.Equal(1, Writes(id) - written);
        Assert.Equal(100, Parse(storedBeforeGrant)["latencyEwmaMs"]!.GetValue<double>(), 6);
        Assert.Equal(120, Parse(storedWithGrant)["latencyEwmaMs"]!.GetValue<double>(), 6);
        Assert.Equal(0, Parse(storedWithGrant)["consecutiveFailures"]!.GetValue<int>());
    }

    [Fact]
    public async Task Lease_EveryGrantIsStoredBeforeItsAnswer_AndADenialWritesNothing()
    {
        var (model, id) = (PoolFixture.Name("model"), PoolFixture.Name("w"));
        await Api.SetUpPoolAsync(PoolFixture.Name("pool"), 402, model, (id, 2));
        var written = Writes(id);

        (await Api.LeaseAsync(model)).EnsureStatus(HttpStatusCode.OK);
        var afterFirst = (Writes(id) - written, GrantsStored(await StoredAsync(id)));
        (await Api.LeaseAsync(model)).EnsureStatus(HttpStatusCode.OK);
        var afterSecond = (Writes(id) - written, GrantsStored(await StoredAsync(id)));
        var refused = await Api.LeaseAsync(model);

        Assert.Equal((1, 1), afterFirst);
        Assert.Equal((2, 2), afterSecond);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.Status);
        Assert.Equal(2, Writes(id) - written);
    }

    [Fact]
    public async Task Probe_PassingAfterAPassingOne_WritesNothing_AndTheStatusShowsWhenItRan()
    {
        await using var upstream = await FakeBackend.StartAsync();
        upstream.Status = HttpStatusCode.ServiceUnavailable;
        var (model, id, pool) = (PoolFixture.Name("model"), PoolFixture.Name("w"), PoolFixture.Name("pool"));
        (await Api.PutPoolAsync(pool, 403)).EnsureStatus(HttpStatusCode.Created);
        (await Api.PutBackendAsync(id, PoolApi.Backend(pool, model, 60, baseUrl: upstream.BaseUrl, healthPath: "/health", healthIntervalSeconds: 10))).EnsureStatus(HttpStatusCode.Created);
        var written = Writes(id);

        await ProbeAsync(id);
        var afterFailure = Writes(id) - written;
        upstream.Status = HttpStatusCode.OK;
        stack.Clock.Advance(TimeSpan.FromSeconds(10));
        await ProbeAsync(id);
        var afterRecovery = Writes(id) - written;
        var stored = await StoredAsync(id);
        stack.Clock.Advance(TimeSpan.FromSeconds(10));
        var probedAt = stack.Clock.GetUtcNow();
        await ProbeAsync(id);
        var status = (await Api.StatusAsync(id)).EnsureStatus(HttpStatusCode.OK);

        Assert.Equal(1, afterFailure);
        Assert.Equal(2, afterRecovery);
        Assert.Equal(2, Writes(id) - written);
        Assert.Equal(stored, await StoredAsync(id));
        Assert.Equal(probedAt, status.Json["lastProbeAt"]!.GetValue<DateTimeOffset>());
        Assert.Equal(0, status.Json["consecutiveProbeFailures"]!.GetValue<int>());
    }

    [Theory]
    [InlineData(nameof(BackendState.LatencyEwmaMs), false)]
    [InlineData(nameof(BackendState.LastOutcome), false)]
    [InlineData(nameof(BackendState.LastOutcomeAt), false)]
    [InlineData(nameof(BackendState.LastProbeAt), false)]
    [InlineData(nameof(BackendState.ConsecutiveRateLimits), true)]
    [InlineData(nameof(BackendState.CooldownStartedAt), true)]
    [InlineData(nameof(BackendState.CooldownUntil), true)]
    [InlineData(nameof(BackendState.Grants), true)]
    [InlineData(nameof(BackendState.EmergencyGrants), true)]
    [InlineData(nameof(BackendState.ConsecutiveFailures), true)]
    [InlineData(nameof(BackendState.EjectedAt), true)]
    [InlineData(nameof(BackendState.EjectedUntil), true)]
    [InlineData(nameof(BackendState.ConsecutiveProbeFailures), true)]
    [InlineData(nameof(BackendState.ProbeUnhealthy), true)]
    public void SameDecisionsAs_WithOnePropertyChanged_IsFalseOnlyForDecisionState(string property, bool decides)
    {
        var state = BackendState.Initial;

        var changed = Change(state, property);

        Assert.NotEqual(state, changed);
        Assert.Equal(!decides, state.SameDecisionsAs(changed));
        Assert.Equal(!decides, changed.SameDecisionsAs(state));
    }

    [Fact]
    public void SameDecisionsAs_TableAbove_CoversEveryPropertyOfTheState()
    {
        var properties = typeof(BackendState).GetProperties().Where(p => !p.GetMethod!.IsStatic).Select(p => p.Name);

        Assert.All(properties, p => Assert.NotEqual(BackendState.Initial, Change(BackendState.Initial, p)));
    }

    private static BackendState Change(BackendState state, string property)
    {
        var at = new DateTimeOffset(2026, 11, 21, 10, 0, 0, TimeSpan.Zero);
        var window = new RateWindow(ImmutableArray.Create(new RateSlot(at.ToUnixTimeMilliseconds(), 1)));
        return property switch
        {
            nameof(BackendState.LatencyEwmaMs) => state with { LatencyEwmaMs = 12.5 },
            nameof(BackendState.LastOutcome) => state with { LastOutcome = OutcomeKind.Success },
            nameof(BackendState.LastOutcomeAt) => state with { LastOutcomeAt = at },
            nameof(BackendState.LastProbeAt) => state with { LastProbeAt = at },
            nameof(BackendState.ConsecutiveRateLimits) => state with { ConsecutiveRateLimits = 1 },
            nameof(BackendState.CooldownStartedAt) => state with { CooldownStartedAt = at },
            nameof(BackendState.CooldownUntil) => state with { CooldownUntil = at },
            nameof(BackendState.Grants) => state with { Grants = window },
            nameof(BackendState.EmergencyGrants) => state with { EmergencyGrants = window },
            nameof(BackendState.ConsecutiveFailures) => state with { ConsecutiveFailures = 1 },
            nameof(BackendState.EjectedAt) => state with { EjectedAt = at },
            nameof(BackendState.EjectedUntil) => state with { EjectedUntil = at },
            nameof(BackendState.ConsecutiveProbeFailures) => state with { ConsecutiveProbeFailures = 1 },
            nameof(BackendState.ProbeUnhealthy) => state with { ProbeUnhealthy = true },
            _ => throw new ArgumentOutOfRangeException(nameof(property), property, "A property of BackendState this table does not classify yet."),
        };
    }

    private async Task ProbeAsync(string id) =>
        Assert.Contains(await stack.Replica.Prober.ProbeDueAsync(CancellationToken.None), r => r.BackendId == id);

    /// <summary>The actor's state document as the store holds it, read through the sidecar's actor state API; null when there is none.</summary>
    private async Task<string?> StoredAsync(string id)
    {
        using var answer = await Sidecar.GetAsync(new Uri(stack.Sidecar.HttpEndpoint, $"/v1.0/actors/{BackendActor.TypeName}/{id}/state/{BackendActor.StateKey}"));
        answer.EnsureSuccessStatusCode();
        return answer.StatusCode == HttpStatusCode.NoContent ? null : await answer.Content.ReadAsStringAsync();
    }

    /// <summary>
    /// The state transactions this process has sent for the actor: one HTTP client span per
    /// <c>PUT /v1.0/actors/Backend/{id}/state</c> (Dapr.Actors' transaction call) to its sidecar's port.
    /// </summary>
    private int Writes(string id)
    {
        var transaction = string.Create(CultureInfo.InvariantCulture, $":{stack.Sidecar.HttpPort}/v1.0/actors/{BackendActor.TypeName}/{id}/state");
        return stack.Activities.Lines.Count(l => l.Split(" | ").Any(t => t.StartsWith("url.full=", StringComparison.Ordinal) && t.EndsWith(transaction, StringComparison.Ordinal))
            && l.Contains("http.request.method=PUT", StringComparison.Ordinal));
    }

    private static JsonNode Parse(string? stored) => JsonNode.Parse(stored ?? throw new InvalidOperationException("nothing stored")) ?? throw new InvalidOperationException("empty");

    private static int GrantsStored(string? stored) =>
        Parse(stored)["grants"]!["slots"]!.AsArray().Sum(s => s!["count"]!.GetValue<int>());
}
