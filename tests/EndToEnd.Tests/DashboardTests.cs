using System.Diagnostics;
using System.Net.Http.Json;
using Gateway.EndToEnd.Tests.Support;
using Microsoft.Playwright;

namespace Gateway.EndToEnd.Tests;

/// <summary>
/// The Aspire dashboard in a real browser (Debian's chromium, headless, driven by Playwright):
/// every resource running and healthy, and one proxied call as one trace across the suite.
/// </summary>
[Collection(RunningSuite.Name)]
public sealed class DashboardTests(Suite suite) : IAsyncLifetime
{
    /// <summary>Telemetry is exported in batches; the dashboard shows it once it arrives.</summary>
    private static readonly TimeSpan TelemetryDeadline = TimeSpan.FromSeconds(90);

    private IPlaywright _playwright = null!;
    private IBrowser _browser = null!;

    public async Task InitializeAsync()
    {
        _playwright = await Playwright.CreateAsync();
        _browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Chromium.Path,
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        });
    }

    public async Task DisposeAsync()
    {
        await _browser.DisposeAsync();
        _playwright.Dispose();
    }

    [Fact]
    public async Task Resources_AllRunningAndHealthy()
    {
        var page = await LoggedInPageAsync();

        await page.GotoAsync(new Uri(suite.Dashboard, "/").ToString());

        foreach (var resource in Suite.Resources)
        {
            var row = page.GetByRole(AriaRole.Row).Filter(new LocatorFilterOptions { Has = page.GetByText(resource, new PageGetByTextOptions { Exact = true }) });
            await Assertions.Expect(row.First).ToContainTextAsync("Running", new LocatorAssertionsToContainTextOptions { Timeout = 60_000 });
            await Assertions.Expect(row.First).Not.ToContainTextAsync("Unhealthy");
        }
    }

    [Fact]
    public async Task Traces_OneProxiedSubmit_IsOneTraceWithSpansFromTheServicesAndSidecars()
    {
        var traceId = ActivityTraceId.CreateRandom().ToHexString();
        using var proxy = suite.Client("proxy");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/proxy/demo/tasks") { Content = JsonContent.Create(new { prompt = "traced" }) };
        request.Headers.Add("X-Thread-Id", "trace-" + traceId[..8]);
        request.Headers.Add("traceparent", $"00-{traceId}-{ActivitySpanId.CreateRandom().ToHexString()}-01");
        using var submitted = await proxy.SendAsync(request);
        var page = await LoggedInPageAsync();

        // The trace's page lists its spans, each under the resource that sent it.
        var deadline = Stopwatch.StartNew();
        string[] expected = ["proxy", "proxy-dapr", "billing-dapr", "billing"];
        var missing = expected;
        while (missing.Length > 0 && deadline.Elapsed < TelemetryDeadline)
        {
            await page.GotoAsync(new Uri(suite.Dashboard, $"/traces/detail/{traceId}").ToString());
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            var text = await page.InnerTextAsync("body");
            missing = [.. expected.Where(r => !text.Contains(r, StringComparison.Ordinal))];
            if (missing.Length > 0)
            {
                await page.WaitForTimeoutAsync(1000);
            }
        }

        Assert.True(missing.Length == 0, $"trace {traceId} (submit answered {(int)submitted.StatusCode}) lacks spans from: {string.Join(", ", missing)}");
    }

    private async Task<IPage> LoggedInPageAsync()
    {
        var page = await _browser.NewPageAsync();
        await page.GotoAsync(new Uri(suite.Dashboard, $"/login?t={suite.BrowserToken}").ToString());
        return page;
    }
}
