using Gateway.ServiceDefaults.Dapr;
using Gateway.ServiceDefaults.Tests.Dapr.Support;
using Microsoft.AspNetCore.Http;

namespace Gateway.ServiceDefaults.Tests.Dapr;

/// <summary>One Activity and one measurement per call, named by operation and outcome, carrying no keys, values or tokens.</summary>
public sealed class DaprClientTelemetryTests
{
    private const string SecretKey = "account|secret-key-42";
    private const string Token = "token-that-must-not-leak";

    [Fact]
    public async Task Calls_RecordActivityAndMetrics_ByOperationAndOutcome_WithoutKeysOrTokens()
    {
        await using var fake = await FakeSidecar.StartAsync((context, _) => context.Request.Method == "GET"
            ? context.Response.WriteAsync("""{"accountId":"a","balance":1}""")
            : FakeSidecar.DaprError(context, 409, "ERR_STATE_SAVE", "possible etag mismatch. error from state store"));
        using var telemetry = new CapturedTelemetry();
        using var clients = new TestDaprClients(fake.Endpoint, apiToken: Token, meterFactory: telemetry.MeterFactory);

        await clients.State.GetStateAsync<Account>("statestore", SecretKey);
        var conflict = await clients.State.TrySaveStateAsync("statestore", SecretKey, new Account("a", 2), "1");

        Assert.Equal(StateWriteFailure.EtagMismatch, conflict.Failure);
        var get = Assert.Single(telemetry.Activities, a => a.OperationName == "Dapr state.get");
        var save = Assert.Single(telemetry.Activities, a => a.OperationName == "Dapr state.try_save");
        Assert.Equal("state.get", get.GetTagItem("dapr.operation"));
        Assert.Equal("statestore", get.GetTagItem("dapr.store"));
        Assert.Equal("ok", get.GetTagItem("dapr.outcome"));
        Assert.Equal(1, get.GetTagItem("dapr.attempts"));
        Assert.Equal("etag_mismatch", save.GetTagItem("dapr.outcome"));
        Assert.Equal(409, save.GetTagItem("http.response.status_code"));
        Assert.Equal("ERR_STATE_SAVE", save.GetTagItem("dapr.error_code"));
        Assert.Equal(System.Diagnostics.ActivityStatusCode.Error, save.Status);
        Assert.All(telemetry.Activities.SelectMany(a => a.TagObjects), tag =>
        {
            var text = tag.Value?.ToString() ?? "";
            Assert.DoesNotContain("secret-key", text, StringComparison.Ordinal);
            Assert.DoesNotContain(Token, text, StringComparison.Ordinal);
        });

        var calls = telemetry.Measurements.Where(m => m.Instrument == "gateway.dapr.client.calls").ToList();
        Assert.Contains(calls, m => Equals(m.Tags["dapr.operation"], "state.get") && Equals(m.Tags["dapr.outcome"], "ok"));
        Assert.Contains(calls, m => Equals(m.Tags["dapr.operation"], "state.try_save") && Equals(m.Tags["dapr.outcome"], "etag_mismatch"));
        Assert.Equal(2, telemetry.Measurements.Count(m => m.Instrument == "gateway.dapr.client.call.duration"));
    }

    [Fact]
    public async Task RetriedCall_CountsRetries()
    {
        await using var fake = await FakeSidecar.StartAsync((context, n) => n < 3
            ? FakeSidecar.DaprError(context, 503, "ERR_UNAVAILABLE")
            : Task.CompletedTask);
        using var telemetry = new CapturedTelemetry();
        using var clients = new TestDaprClients(fake.Endpoint, meterFactory: telemetry.MeterFactory);

        await clients.State.DeleteStateAsync("statestore", "k");

        Assert.Equal(2, telemetry.Measurements.Where(m => m.Instrument == "gateway.dapr.client.retries").Sum(m => m.Value));
        Assert.Equal(3, Assert.Single(telemetry.Activities).GetTagItem("dapr.attempts"));
    }
}
