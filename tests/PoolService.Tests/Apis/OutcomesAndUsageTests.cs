using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using Gateway.PoolService.Tests.Support;

namespace Gateway.PoolService.Tests.Apis;

[Collection(SharedPool.Name)]
public sealed class OutcomesAndUsageTests(PoolFixture stack)
{
    private PoolApi Api => stack.Api;

    private static string Iso(DateTimeOffset time) => Uri.EscapeDataString(time.ToString("o", CultureInfo.InvariantCulture));

    private DateTimeOffset MinuteNow()
    {
        var now = stack.Clock.GetUtcNow();
        return new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, now.Minute, 0, TimeSpan.Zero);
    }

    [Fact]
    public async Task Report_RecordsUsagePerBackendModelAndMinute_WithCostFromPricing()
    {
        var model = PoolFixture.Name("model");
        var id = PoolFixture.Name("b");
        await Api.SetUpPoolAsync(PoolFixture.Name("pool"), 200, model, (id, 100));
        var firstMinute = MinuteNow();
        var lease = (await Api.LeaseAsync(model)).EnsureStatus(HttpStatusCode.OK);

        var success = (await Api.ReportAsync(id, new { leaseId = lease["leaseId"], outcome = "success", latencyMs = 120, model, promptTokens = 1000, completionTokens = 500 })).EnsureStatus(HttpStatusCode.OK);
        (await Api.ReportAsync(id, new { outcome = "rate_limited", latencyMs = 40, model })).EnsureStatus(HttpStatusCode.OK);
        stack.Clock.Advance(TimeSpan.FromSeconds(60));
        (await Api.ReportAsync(id, new { outcome = "success", latencyMs = 200, model, promptTokens = 10, completionTokens = 5, cost = 1.5m })).EnsureStatus(HttpStatusCode.OK);
        var usage = (await Api.UsageAsync($"?backend={id}&from={Iso(firstMinute)}&to={Iso(firstMinute.AddMinutes(2))}")).EnsureStatus(HttpStatusCode.OK);

        Assert.Equal(0.006m, success.Json["cost"]!.GetValue<decimal>());
        Assert.Equal("true", success["recorded"]);
        Assert.Equal("true", success["applied"]);
        var minutes = usage.Json["minutes"]!.AsArray();
        Assert.Equal(2, minutes.Count);
        Assert.Equal(firstMinute, minutes[0]!["minute"]!.GetValue<DateTimeOffset>());
        Assert.Equal(firstMinute.AddMinutes(1), minutes[1]!["minute"]!.GetValue<DateTimeOffset>());
        var first = minutes[0]!["figures"]!;
        Assert.Equal(2, first["requests"]!.GetValue<long>());
        Assert.Equal(1, first["successes"]!.GetValue<long>());
        Assert.Equal(1, first["errors"]!.GetValue<long>());
        Assert.Equal(1, first["rateLimited"]!.GetValue<long>());
        Assert.Equal(1000, first["promptTokens"]!.GetValue<long>());
        Assert.Equal(500, first["completionTokens"]!.GetValue<long>());
        Assert.Equal(80, first["latencyMsAvg"]!.GetValue<double>());
        Assert.Equal(120, first["latencyMsMax"]!.GetValue<double>());
        var totals = usage.Json["totals"]!;
        Assert.Equal(3, totals["requests"]!.GetValue<long>());
        Assert.Equal(1.506m, totals["cost"]!.GetValue<decimal>());
    }

    [Fact]
    public async Task Report_RepeatedWithTheSameLeaseId_CountsOnce_AndEscalatesOnce()
    {
        var model = PoolFixture.Name("model");
        var id = PoolFixture.Name("b");
        await Api.SetUpPoolAsync(PoolFixture.Name("pool"), 210, model, (id, 100));
        var start = MinuteNow();
        var lease = (await Api.LeaseAsync(model)).EnsureStatus(HttpStatusCode.OK);
        var report = new { leaseId = lease["leaseId"], outcome = "rate_limited", latencyMs = 10, model };

        var first = (await Api.ReportAsync(id, report)).EnsureStatus(HttpStatusCode.OK);
        var repeat = (await Api.ReportAsync(id, report)).EnsureStatus(HttpStatusCode.OK);
        var status = (await Api.StatusAsync(id)).EnsureStatus(HttpStatusCode.OK);
        var usage = (await Api.UsageAsync($"?backend={id}&from={Iso(start)}&to={Iso(start.AddMinutes(5))}")).EnsureStatus(HttpStatusCode.OK);

        Assert.Equal("false", first["duplicate"]);
        Assert.Equal("true", repeat["duplicate"]);
        Assert.Equal("false", repeat["applied"]);
        Assert.Equal(1, status.Json["consecutiveRateLimits"]!.GetValue<int>());
        Assert.Equal(1, usage.Json["totals"]!["requests"]!.GetValue<long>());
    }

    [Fact]
    public async Task Reports_ConcurrentOnOneBackendAndMinute_LoseNoCount()
    {
        var model = PoolFixture.Name("model");
        var id = PoolFixture.Name("busy");
        await Api.SetUpPoolAsync(PoolFixture.Name("pool"), 220, model, (id, 1000));
        var start = MinuteNow();

        var answers = await Task.WhenAll(Enumerable.Range(0, 60).Select(i =>
            Api.ReportAsync(id, new { outcome = i % 3 == 0 ? "server_error" : "success", latencyMs = 5 + i, model, promptTokens = 10, completionTokens = 1 })));
        var usage = (await Api.UsageAsync($"?backend={id}&from={Iso(start)}&to={Iso(start.AddMinutes(5))}")).EnsureStatus(HttpStatusCode.OK);

        Assert.All(answers, a => a.EnsureStatus(HttpStatusCode.OK));
        var totals = usage.Json["totals"]!;
        Assert.Equal(60, totals["requests"]!.GetValue<long>());
        Assert.Equal(20, totals["serverErrors"]!.GetValue<long>());
        Assert.Equal(600, totals["promptTokens"]!.GetValue<long>());
    }

    [Fact]
    public async Task Reports_FirstOfTheHourForManyBackendsAtOnce_AreAllIndexedAndFound()
    {
        var model = PoolFixture.Name("model");
        var pool = PoolFixture.Name("pool");
        (await Api.PutPoolAsync(pool, 225)).EnsureStatus(HttpStatusCode.Created);
        var ids = Enumerable.Range(0, 24).Select(i => $"{pool}-{i}").ToList();
        foreach (var id in ids)
        {
            (await Api.PutBackendAsync(id, PoolApi.Backend(pool, model, 10))).EnsureStatus(HttpStatusCode.Created);
        }

        var start = MinuteNow();
        var answers = await Task.WhenAll(ids.Select(id => Api.ReportAsync(id, new { outcome = "success", model })));
        var usage = (await Api.UsageAsync($"?model={model}&from={Iso(start)}&to={Iso(start.AddMinutes(1))}")).EnsureStatus(HttpStatusCode.OK);

        Assert.All(answers, a => a.EnsureStatus(HttpStatusCode.OK));
        Assert.Equal(ids.Order(StringComparer.Ordinal), usage.Json["minutes"]!.AsArray().Select(m => m!["backendId"]!.ToString()).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task Usage_FiltersByBackendAndModelAlias_OverAHalfOpenRange()
    {
        var (model, other) = (PoolFixture.Name("model"), PoolFixture.Name("other"));
        var alias = PoolFixture.Name("alias");
        var (a, b) = (PoolFixture.Name("a"), PoolFixture.Name("b"));
        await Api.SetUpPoolAsync(PoolFixture.Name("pool"), 230, model, (a, 100));
        await Api.SetUpPoolAsync(PoolFixture.Name("pool"), 231, other, (b, 100));
        (await Api.PutAliasAsync(alias, model)).EnsureStatus(HttpStatusCode.Created);
        var minute = MinuteNow();
        (await Api.ReportAsync(a, new { outcome = "success", model = alias })).EnsureStatus(HttpStatusCode.OK);
        (await Api.ReportAsync(b, new { outcome = "client_error", model = other })).EnsureStatus(HttpStatusCode.OK);

        var byAlias = (await Api.UsageAsync($"?model={alias}&from={Iso(minute)}&to={Iso(minute.AddMinutes(1))}")).EnsureStatus(HttpStatusCode.OK);
        var byBackend = (await Api.UsageAsync($"?backend={b}&from={Iso(minute)}&to={Iso(minute.AddMinutes(1))}")).EnsureStatus(HttpStatusCode.OK);
        var before = (await Api.UsageAsync($"?backend={a}&from={Iso(minute.AddMinutes(-5))}&to={Iso(minute)}")).EnsureStatus(HttpStatusCode.OK);
        var after = (await Api.UsageAsync($"?backend={a}&from={Iso(minute.AddMinutes(1))}&to={Iso(minute.AddMinutes(5))}")).EnsureStatus(HttpStatusCode.OK);

        var aliased = Assert.Single(byAlias.Json["minutes"]!.AsArray());
        Assert.Equal(a, aliased!["backendId"]!.ToString());
        Assert.Equal(model, aliased["model"]!.ToString());
        Assert.Equal(model, byAlias["model"]);
        Assert.Equal(1, Assert.Single(byBackend.Json["minutes"]!.AsArray())!["figures"]!["clientErrors"]!.GetValue<long>());
        Assert.Empty(before.Json["minutes"]!.AsArray());
        Assert.Empty(after.Json["minutes"]!.AsArray());
    }

    [Theory]
    [InlineData("?from=yesterday", "from")]
    [InlineData("?from=2026-11-21T10:00:00Z&to=2026-11-21T10:00:00Z", "from")]
    [InlineData("?from=2026-11-01T00:00:00Z&to=2026-11-21T00:00:00Z", "to")]
    [InlineData("?backend=Not%20An%20Id", "backend")]
    [InlineData("?to=soon", "to")]
    public async Task Usage_InvalidQuery_Answers400NamingTheParameter(string query, string field)
    {
        var answer = await Api.UsageAsync(query);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains(field, answer.Json["errors"]!.AsObject().Select(e => e.Key));
    }

    [Theory]
    [InlineData("""{"outcome":"exploded","model":"m"}""", "outcome")]
    [InlineData("""{"outcome":99,"model":"m"}""", "outcome")]
    [InlineData("""{"model":"m"}""", "outcome")]
    [InlineData("""{"outcome":"success"}""", "model")]
    [InlineData("""{"outcome":"success","model":"m","latencyMs":-1}""", "latencyMs")]
    [InlineData("""{"outcome":"success","model":"m","promptTokens":-5}""", "promptTokens")]
    [InlineData("""{"outcome":"success","model":"m","cost":-0.01}""", "cost")]
    [InlineData("""{"outcome":"success","model":"m","leaseId":"not-a-lease"}""", "leaseId")]
    public async Task Report_Malformed_Answers400_AndRecordsNothing(string body, string field)
    {
        var id = PoolFixture.Name("b");
        await Api.SetUpPoolAsync(PoolFixture.Name("pool"), 240, "m-" + id, (id, 10));
        var start = MinuteNow();

        var answer = await Api.SendAsync(HttpMethod.Post, $"/backends/{id}/outcomes", null, admin: false, rawBody: body);
        var usage = (await Api.UsageAsync($"?backend={id}&from={Iso(start)}&to={Iso(start.AddMinutes(1))}")).EnsureStatus(HttpStatusCode.OK);

        Assert.Equal(HttpStatusCode.BadRequest, answer.Status);
        Assert.Contains(field, answer.Json["errors"]!.AsObject().Select(e => e.Key));
        Assert.Equal(0, usage.Json["totals"]!["requests"]!.GetValue<long>());
    }

    [Fact]
    public async Task Report_ForAnUnknownBackend_Answers404()
    {
        var answer = await Api.ReportAsync("no-such-backend", new { outcome = "success", model = "m" });
        var status = await Api.StatusAsync("no-such-backend");

        Assert.Equal(HttpStatusCode.NotFound, answer.Status);
        Assert.Equal(HttpStatusCode.NotFound, status.Status);
    }

    [Fact]
    public async Task Metrics_CountGrantsDenialsByReasonAndCooldowns_AndGaugeTheBackendState()
    {
        var model = PoolFixture.Name("model");
        var id = PoolFixture.Name("metered");
        await Api.SetUpPoolAsync(PoolFixture.Name("pool"), 250, model, (id, 1));
        var measurements = new List<(string Instrument, long Value, Dictionary<string, object?> Tags)>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Meter.Name == "Gateway.Pool")
                {
                    l.EnableMeasurementEvents(instrument);
                }
            },
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Record(instrument.Name, value, tags));
        listener.SetMeasurementEventCallback<int>((instrument, value, tags, _) => Record(instrument.Name, value, tags));
        listener.Start();

        (await Api.LeaseAsync(model)).EnsureStatus(HttpStatusCode.OK);
        await Api.LeaseAsync(model);
        (await Api.ReportAsync(id, new { outcome = "rate_limited", model })).EnsureStatus(HttpStatusCode.OK);
        listener.RecordObservableInstruments();

        List<(string Instrument, long Value, Dictionary<string, object?> Tags)> mine;
        lock (measurements)
        {
            mine = [.. measurements.Where(m => Equals(m.Tags.GetValueOrDefault("pool.backend_id"), id))];
        }

        Assert.Contains(mine, m => m.Instrument == "gateway.pool.grants" && Equals(m.Tags["pool.emergency"], false));
        Assert.Contains(mine, m => m.Instrument == "gateway.pool.denials" && Equals(m.Tags["pool.reason"], "rpm"));
        Assert.Contains(mine, m => m.Instrument == "gateway.pool.cooldowns");
        Assert.Contains(mine, m => m.Instrument == "gateway.pool.outcomes" && Equals(m.Tags["pool.outcome"], "rate_limited"));
        Assert.Equal(2, mine.Last(m => m.Instrument == "gateway.pool.backend.state").Value);

        void Record(string instrument, long value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var copy = new Dictionary<string, object?>(StringComparer.Ordinal);
            foreach (var tag in tags)
            {
                copy[tag.Key] = tag.Value;
            }

            lock (measurements)
            {
                measurements.Add((instrument, value, copy));
            }
        }
    }
}
