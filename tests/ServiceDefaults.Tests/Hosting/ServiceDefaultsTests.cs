using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Gateway.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.ServiceDefaults.Tests.Hosting;

/// <summary>
/// What AddServiceDefaults/MapDefaultEndpoints give a service, shown on a real service process
/// (BillingService, which has nothing else yet) beside a real LocalSidecar.
/// </summary>
public sealed class ServiceDefaultsTests : IDisposable
{
    private readonly TempFolder _folder = new("service-defaults");

    [Fact]
    public async Task Healthz_IsReadyOnlyWhileTheSidecarAnswers_AliveAlways()
    {
        var servicePort = FreePort.Next();
        var sidecar = await StartSidecarAsync(servicePort);
        await using var service = await StartServiceAsync(servicePort, sidecar);
        using var client = Client(servicePort);

        // The sidecar becomes ready only once it has seen the service listen.
        await sidecar.WaitUntilAsync("/v1.0/healthz", TimeSpan.FromSeconds(30));
        using var readyAlive = await client.GetAsync("/alive");
        using var ready = await client.GetAsync("/healthz");
        await sidecar.DisposeAsync();
        using var downAlive = await client.GetAsync("/alive");
        using var down = await client.GetAsync("/healthz");

        Assert.Equal(HttpStatusCode.OK, readyAlive.StatusCode);
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        Assert.Equal(HttpStatusCode.OK, downAlive.StatusCode);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, down.StatusCode);
    }

    [Fact]
    public async Task AppApiToken_RejectsCallsWithoutIt_ButNotProbesOrTheSidecar()
    {
        const string token = "app-secret";
        var servicePort = FreePort.Next();
        await using var sidecar = await StartSidecarAsync(servicePort, new Dictionary<string, string?> { ["APP_API_TOKEN"] = token });
        await using var service = await StartServiceAsync(servicePort, sidecar, new Dictionary<string, string?> { ["APP_API_TOKEN"] = token });
        await sidecar.WaitUntilAsync("/v1.0/healthz", TimeSpan.FromSeconds(30));
        using var client = Client(servicePort);
        using var sidecarClient = new HttpClient { BaseAddress = sidecar.HttpEndpoint };

        using var direct = await client.GetAsync("/some/route");
        using var wrong = await SendWithTokenAsync(client, "/some/route", "not-it");
        using var probe = await client.GetAsync("/alive");
        using var viaSidecar = await sidecarClient.GetAsync("/v1.0/invoke/billing/method/some/route");

        Assert.Equal(HttpStatusCode.Unauthorized, direct.StatusCode);
        Assert.Equal("application/problem+json", direct.Content.Headers.ContentType?.MediaType);
        Assert.DoesNotContain(token, await direct.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.Unauthorized, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.OK, probe.StatusCode);

        // Past the token check the route does not exist: the sidecar's token let the call in.
        Assert.Equal(HttpStatusCode.NotFound, viaSidecar.StatusCode);
    }

    [Fact]
    public async Task UnknownRoute_AnswersProblemDetails()
    {
        var servicePort = FreePort.Next();
        await using var sidecar = await StartSidecarAsync(servicePort);
        await using var service = await StartServiceAsync(servicePort, sidecar);
        using var client = Client(servicePort);

        using var response = await client.GetAsync("/no/such/route");

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Telemetry_IsExportedOverOtlp_OnlyWhenAnEndpointIsSet()
    {
        var received = new ConcurrentBag<string>();
        var collectorPort = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, collectorPort));
        await using var collector = builder.Build();
        collector.MapPost("/v1/{signal}", (string signal) =>
        {
            received.Add(signal);
            return Results.Ok();
        });
        await collector.StartAsync();

        var servicePort = FreePort.Next();
        await using var sidecar = await StartSidecarAsync(servicePort);
        await using var service = await StartServiceAsync(servicePort, sidecar, new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = $"http://127.0.0.1:{collectorPort}",
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            ["OTEL_BLRP_SCHEDULE_DELAY"] = "200",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
        });
        using var client = Client(servicePort);
        using var _ = await client.GetAsync("/healthz");

        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline && !(received.Contains("traces") && received.Contains("metrics") && received.Contains("logs")))
        {
            await Task.Delay(100);
        }

        Assert.Contains("traces", received);
        Assert.Contains("metrics", received);
        Assert.Contains("logs", received);
    }

    [Fact]
    public async Task ParentGone_TheServiceStopsByItself()
    {
        await using var parent = TestProcess.Start("sleep", ["60"]);
        var servicePort = FreePort.Next();
        await using var sidecar = await StartSidecarAsync(servicePort);
        await using var service = await StartServiceAsync(servicePort, sidecar, new Dictionary<string, string?>
        {
            ["GATEWAY_PARENT_PID"] = parent.Id.ToString(CultureInfo.InvariantCulture),
        });

        parent.Signal(9);

        Assert.Equal(0, await service.WaitForExitAsync(TimeSpan.FromSeconds(15)));
    }

    private async Task<SidecarProcess> StartSidecarAsync(int appPort, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var components = Directory.CreateDirectory(_folder.Combine("components")).FullName;
        await File.WriteAllTextAsync(Path.Combine(components, "statestore.yaml"), ComponentYaml.StateStore(StateStoreKind.InMemory));
        return await SidecarProcess.StartAsync("billing", components, _folder.Combine("registry"), appPort, environment);
    }

    private static async Task<TestProcess> StartServiceAsync(int port, SidecarProcess sidecar, IReadOnlyDictionary<string, string?>? environment = null)
    {
        var env = new Dictionary<string, string?>(environment ?? new Dictionary<string, string?>())
        {
            ["DAPR_HTTP_PORT"] = sidecar.AppEnvironment["DAPR_HTTP_PORT"],
            ["DAPR_GRPC_PORT"] = sidecar.AppEnvironment["DAPR_GRPC_PORT"],
            ["APP_ID"] = "billing",
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
        };
        var service = TestProcess.StartDotnet(Launchables.BillingService, ["--urls", $"http://127.0.0.1:{port}"], env);
        using var client = Client(port);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (true)
        {
            try
            {
                using var alive = await client.GetAsync("/alive");
                if (alive.IsSuccessStatusCode)
                {
                    return service;
                }
            }
            catch (HttpRequestException) when (DateTime.UtcNow < deadline && !service.HasExited)
            {
                await Task.Delay(100);
                continue;
            }

            if (DateTime.UtcNow > deadline || service.HasExited)
            {
                await service.DisposeAsync();
                throw new TimeoutException($"BillingService did not come up:\n{service.Output}");
            }
        }
    }

    private static HttpClient Client(int port) => new() { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(10) };

    private static Task<HttpResponseMessage> SendWithTokenAsync(HttpClient client, string path, string token)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("dapr-api-token", token);
        return client.SendAsync(request);
    }

    public void Dispose() => _folder.Dispose();
}
