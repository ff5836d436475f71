using System.Diagnostics;
using Gateway.ProxyService.Infrastructure;
using Gateway.ProxyService.Services.Llm;
using Gateway.ProxyService.Tests.Support;
using Gateway.ServiceDefaults;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Gateway.ProxyService.Tests.Infrastructure;

/// <summary>
/// The billing and pool clients as the proxy wires them (AddServiceDefaults, then their
/// registration), against a sidecar that fails on cue: what is retried, what is sent once, what a
/// silent sidecar costs, and that the app ids reach the sidecar even where they also name services.
/// </summary>
public sealed class DaprInvocationTests
{
    private static readonly ReserveCall Reserve = new("acct-1", "call-1", "tasks", "POST /tasks", 100, "estimate", 600, "call-1-key");

    [Fact]
    public async Task Reserve_SidecarCannotReachBilling_IsSentThreeTimesWithTheSameIdempotencyKey()
    {
        await using var sidecar = await FakeSidecar.StartAsync((context, _) => FakeSidecar.CannotReachCallee(context));
        using var proxy = Proxy(sidecar);

        var result = await proxy.Services.GetRequiredService<BillingClient>().ReserveAsync(Reserve, CancellationToken.None);

        Assert.Equal("BillingService answered 500", Assert.IsType<ReserveResult.Unavailable>(result).Detail);
        Assert.Equal(3, sidecar.Requests.Count);
        Assert.All(sidecar.Requests, r => Assert.Equal("POST /v1.0/invoke/billing/method/reservations", r.Line));
        Assert.Single(sidecar.Requests.Select(r => r.Body).Distinct());
        Assert.Contains("\"idempotencyKey\":\"call-1-key\"", sidecar.Requests[0].Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Reserve_BillingAnswersAfterAFailure_IsHeld()
    {
        await using var sidecar = await FakeSidecar.StartAsync((context, n) => n == 1
            ? FakeSidecar.CannotReachCallee(context)
            : Results.Json(new { reservationId = "rsv-1", expiresAt = "2026-12-03T12:00:00Z" }, statusCode: 201).ExecuteAsync(context));
        using var proxy = Proxy(sidecar);

        var result = await proxy.Services.GetRequiredService<BillingClient>().ReserveAsync(Reserve, CancellationToken.None);

        Assert.Equal("rsv-1", Assert.IsType<ReserveResult.Held>(result).ReservationId);
        Assert.Equal(2, sidecar.Requests.Count);
    }

    [Fact]
    public async Task Reserve_BillingRefuses_IsPassedOnWithoutARetry()
    {
        await using var sidecar = await FakeSidecar.StartAsync((context, _) => Results.Problem(statusCode: 402, title: "insufficient funds").ExecuteAsync(context));
        using var proxy = Proxy(sidecar);

        var result = await proxy.Services.GetRequiredService<BillingClient>().ReserveAsync(Reserve, CancellationToken.None);

        Assert.Equal(402, Assert.IsType<ReserveResult.Refused>(result).Response.StatusCode);
        Assert.Single(sidecar.Requests);
    }

    [Fact]
    public async Task Reserve_BillingSilent_EachAttemptEndsAtTheBillingTimeout()
    {
        await using var sidecar = await FakeSidecar.StartAsync((context, _) => FakeSidecar.Hang(context));
        using var proxy = Proxy(sidecar, new() { ["Proxy:BillingTimeout"] = "00:00:00.300" });

        var result = await proxy.Services.GetRequiredService<BillingClient>().ReserveAsync(Reserve, CancellationToken.None);

        Assert.Equal("no answer within 300 ms", Assert.IsType<ReserveResult.Unavailable>(result).Detail);
        Assert.Equal(3, sidecar.Requests.Count);
    }

    [Fact]
    public async Task Finalize_SidecarCannotReachBilling_IsSentOnce_WithTheIdAsOneEscapedSegment()
    {
        await using var sidecar = await FakeSidecar.StartAsync((context, _) => FakeSidecar.CannotReachCallee(context));
        using var proxy = Proxy(sidecar);
        var billing = proxy.Services.GetRequiredService<BillingClient>();

        var finalized = await billing.FinalizeAsync("rsv/1 x", 90, "succeeded", CancellationToken.None);
        var released = await billing.ReleaseAsync("rsv-2", "error_http_502", CancellationToken.None);

        Assert.IsType<SettleResult.Unavailable>(finalized);
        Assert.IsType<SettleResult.Unavailable>(released);
        Assert.Equal(
            ["POST /v1.0/invoke/billing/method/reservations/rsv%2F1%20x/finalize", "POST /v1.0/invoke/billing/method/reservations/rsv-2/release"],
            sidecar.Requests.Select(r => r.Line));
    }

    [Fact]
    public async Task Lease_SidecarCannotReachPool_IsSentOnce()
    {
        await using var sidecar = await FakeSidecar.StartAsync((context, _) => FakeSidecar.CannotReachCallee(context));
        using var proxy = Proxy(sidecar);

        var result = await proxy.Services.GetRequiredService<PoolClient>().LeaseAsync("m", [], CancellationToken.None);

        Assert.Equal("PoolService answered 500", Assert.IsType<LeaseResult.Unavailable>(result).Detail);
        Assert.Equal("POST /v1.0/invoke/pool/method/leases", Assert.Single(sidecar.Requests).Line);
    }

    [Fact]
    public async Task Models_SidecarCannotReachPool_IsRetried_ThenUnknown()
    {
        await using var sidecar = await FakeSidecar.StartAsync((context, _) => FakeSidecar.CannotReachCallee(context));
        using var proxy = Proxy(sidecar);

        var models = await proxy.Services.GetRequiredService<PoolClient>().ModelsAsync(CancellationToken.None);

        Assert.Null(models);
        Assert.Equal(4, sidecar.Requests.Count);
        Assert.All(sidecar.Requests, r => Assert.Equal("GET /v1.0/invoke/pool/method/models", r.Line));
    }

    [Fact]
    public async Task Lease_PoolSilent_IsUnavailableAtThePoolTimeout()
    {
        await using var sidecar = await FakeSidecar.StartAsync((context, _) => FakeSidecar.Hang(context));
        using var proxy = Proxy(sidecar, new() { ["Llm:PoolTimeout"] = "00:00:00.300" });

        var result = await proxy.Services.GetRequiredService<PoolClient>().LeaseAsync("m", [], CancellationToken.None);

        Assert.Equal("no answer within 300 ms", Assert.IsType<LeaseResult.Unavailable>(result).Detail);
        Assert.Single(sidecar.Requests);
    }

    [Fact]
    public async Task Invocation_CarriesTheCallersTraceContextToTheSidecar()
    {
        using var listener = new ActivityListener { ShouldListenTo = _ => true, Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded };
        ActivitySource.AddActivityListener(listener);
        using var source = new ActivitySource("Gateway.ProxyService.Tests");
        await using var sidecar = await FakeSidecar.StartAsync((context, _) => Results.Json(new { models = Array.Empty<object>() }).ExecuteAsync(context));
        using var proxy = Proxy(sidecar);

        using (var call = source.StartActivity("submit"))
        {
            await proxy.Services.GetRequiredService<PoolClient>().ModelsAsync(CancellationToken.None);
            Assert.Contains(call!.TraceId.ToString(), Assert.Single(sidecar.Requests).TraceParent, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Invocation_SidecarNotListening_IsUnavailable()
    {
        using var proxy = Proxy(new Uri($"http://127.0.0.1:{Gateway.Testing.FreePort.Next()}"));

        var reserve = await proxy.Services.GetRequiredService<BillingClient>().ReserveAsync(Reserve, CancellationToken.None);
        var lease = await proxy.Services.GetRequiredService<PoolClient>().LeaseAsync("m", [], CancellationToken.None);

        Assert.Equal("no answer from the sidecar: HttpRequestException", Assert.IsType<ReserveResult.Unavailable>(reserve).Detail);
        Assert.Equal("no answer from the sidecar: HttpRequestException", Assert.IsType<LeaseResult.Unavailable>(lease).Detail);
    }

    /// <summary>
    /// The proxy's wiring of the two clients over <paramref name="sidecar"/>. The app ids also name
    /// services here (pointing nowhere), as they would if the AppHost referenced billing or pool.
    /// </summary>
    private static IHost Proxy(FakeSidecar sidecar, Dictionary<string, string?>? settings = null) => Proxy(sidecar.Endpoint, settings);

    private static IHost Proxy(Uri sidecar, Dictionary<string, string?>? settings = null)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DAPR_HTTP_ENDPOINT"] = sidecar.ToString(),
            ["services:billing:http:0"] = "http://127.0.0.1:1",
            ["services:pool:http:0"] = "http://127.0.0.1:1",
        });
        builder.Configuration.AddInMemoryCollection(settings ?? []);
        builder.AddServiceDefaults();
        builder.Services.AddOptions<ProxyOptions>().Bind(builder.Configuration.GetSection(ProxyOptions.SectionName));
        builder.Services.AddOptions<LlmOptions>().Bind(builder.Configuration.GetSection(LlmOptions.SectionName));
        BillingClient.Register(builder.Services);
        PoolClient.Register(builder.Services);
        return builder.Build();
    }
}
