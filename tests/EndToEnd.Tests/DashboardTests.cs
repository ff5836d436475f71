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

        // The trace's page lists its spans in a grid, each with the resource that sent it in a cell of its own.
        string[] expected = ["proxy", "proxy-dapr", "billing-dapr", "billing"];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var deadline = Stopwatch.StartNew();
        while (!seen.IsSupersetOf(expected) && deadline.Elapsed < TelemetryDeadline)
        {
            await page.GotoAsync(new Uri(suite.Dashboard, $"/traces/detail/{traceId}").ToString());
            await page.WaitForLoadStateAsync(LoadState.NetworkIdle);
            foreach (var cell in await page.GetByRole(AriaRole.Gridcell).AllInnerTextsAsync())
            {
                if (Suite.Resources.Contains(cell.Trim(), StringComparer.Ordinal))
                {
                    seen.Add(cell.Trim());
                }
            }

            if (!seen.IsSupersetOf(expected))
            {
                await page.WaitForTimeoutAsync(1000);
            }
        }

        Assert.True(seen.IsSupersetOf(expected), $"trace {traceId} (submit answered {(int)submitted.StatusCode}) has spans from {string.Join(", ", seen)}; expected {string.Join(", ", expected)}");
    }

    private async Task<IPage> LoggedInPageAsync()
    {
        var page = await _browser.NewPageAsync();
        await page.GotoAsync(new Uri(suite.Dashboard, $"/login?t={suite.BrowserToken}").ToString());
        return page;
    }
}
