using System.Globalization;
using System.Security.Cryptography;
using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Aspire.Hosting.Testing;
using Gateway.Testing;
using Microsoft.Extensions.Configuration;

namespace Gateway.EndToEnd.Tests.Support;

/// <summary>
/// The app host run through <c>Aspire.Hosting.Testing</c> as <c>dotnet run --project AppHost</c>
/// runs it, with its dashboard, on free ports (<c>--ports auto</c>) and in a fresh work directory.
/// </summary>
public sealed class Suite : IAsyncLifetime
{
    /// <summary>Every resource of the suite, as the dashboard names them.</summary>
    public static readonly string[] Resources = ["proxy", "proxy-dapr", "billing", "billing-dapr", "pool", "pool-dapr", "faketasks", "fakeopenai"];

    /// <summary>Generous: on a shared 2-core machine eight .NET processes and the dashboard start and JIT at once.</summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(3);

    private readonly TempFolder _workDirectory = new("gateway-suite");

    public DistributedApplication App { get; private set; } = null!;

    /// <summary>The dashboard's origin.</summary>
    public Uri Dashboard { get; private set; } = null!;

    /// <summary>The token of the dashboard's login link (what the app host prints).</summary>
    public string BrowserToken { get; } = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16));

    public async Task InitializeAsync()
    {
        var builder = await DistributedApplicationTestingBuilder.CreateAsync<Projects.AppHost>(
            ["--ports", "auto", "--work-dir", _workDirectory.Path],
            (options, _) =>
            {
                options.DisableDashboard = false;
                options.AllowUnsecuredTransport = true;
            });
        Dashboard = new Uri($"http://127.0.0.1:{Text(FreePort.Next())}");
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ASPNETCORE_URLS"] = Dashboard.ToString(),
            ["ASPIRE_DASHBOARD_OTLP_ENDPOINT_URL"] = $"http://127.0.0.1:{Text(FreePort.Next())}",
            ["AppHost:BrowserToken"] = BrowserToken,
            // The ports are the app host's choice (it hands them to the sidecars' flags); the testing default would move them.
            ["DcpPublisher:RandomizePorts"] = "false",
        });
        App = await builder.BuildAsync();
        using var started = new CancellationTokenSource(StartTimeout);
        await App.StartAsync(started.Token);
        foreach (var resource in Resources)
        {
            await App.ResourceNotifications.WaitForResourceHealthyAsync(resource, started.Token);
        }
    }

    public async Task DisposeAsync()
    {
        if (App is not null)
        {
            await App.StopAsync();
            await App.DisposeAsync();
        }

        _workDirectory.Dispose();
    }

    /// <summary>A client of a resource's <c>http</c> endpoint.</summary>
    public HttpClient Client(string resource) => App.CreateHttpClient(resource, "http");

    /// <summary>The environment the app host gave a resource (e.g. its sidecar's token), as the dashboard shows it.</summary>
    public string EnvironmentOf(string resource, string name)
    {
        Assert.True(App.ResourceNotifications.TryGetCurrentState(resource, out var state), $"no state of {resource}");
        return state.Snapshot.EnvironmentVariables.Single(v => v.Name == name).Value!;
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
