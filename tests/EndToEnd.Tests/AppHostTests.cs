using System.Net;
using System.Net.Sockets;
using Gateway.Testing;

namespace Gateway.EndToEnd.Tests;

/// <summary>
/// AppHost runs start seven .NET processes each; they run alone (not beside other collections) so
/// that a 2-core machine gives them their startup time.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class AppHostRuns
{
    public const string Name = "AppHost";
}

/// <summary>One AppHost, started once for the tests that only look at a healthy suite.</summary>
public sealed class RunningAppHost : IAsyncLifetime
{
    public AppHostRun Run { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Run = AppHostRun.Start();
        try
        {
            await Run.WaitForReadyAsync();
        }
        catch
        {
            await Run.DisposeAsync();
            throw;
        }
    }

    public async Task DisposeAsync() => await Run.DisposeAsync();
}

[Collection(AppHostRuns.Name)]
public sealed class AppHostRunningTests(RunningAppHost appHost) : IClassFixture<RunningAppHost>
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(30) };

    private AppHostRun Run => appHost.Run;

    [Fact]
    public void Ready_TableListsEveryServiceAndItsSidecar()
    {
        Assert.Equal(
            ["billing", "billing-dapr", "fakeopenai", "faketasks", "pool", "pool-dapr", "proxy", "proxy-dapr"],
            Run.Resources.Select(r => r.Name).Order(StringComparer.Ordinal));
        Assert.All(Run.Resources, r => Assert.Equal(r.Name.EndsWith("-dapr", StringComparison.Ordinal) ? "sidecar" : "service", r.Kind));
    }

    [Fact]
    public async Task Ready_EveryPrintedUrlAnswers()
    {
        foreach (var resource in Run.Resources)
        {
            var (path, expected) = resource.Kind == "sidecar" ? ("/v1.0/healthz", HttpStatusCode.NoContent) : ("/alive", HttpStatusCode.OK);
            using var response = await Http.GetAsync(new Uri(resource.Url + path));
            Assert.True(expected == response.StatusCode, $"GET {resource.Url}{path} ({resource.Name}) answered {(int)response.StatusCode}, expected {(int)expected}.\n{Run.Tail()}");
        }
    }

    [Fact]
    public async Task State_ThroughBillingSidecar_IsKeptInTheWorkDirectorysSqliteFile()
    {
        await StateRoundTrip.AssertAsync(Run);

        Assert.True(File.Exists(Path.Combine(Run.WorkDirectory, "data", "gateway.db")), $"No data/gateway.db under {Run.WorkDirectory}.");
    }

    [Fact]
    public async Task Invoke_FromProxySidecarToBilling_CrossesBothSidecars()
    {
        using var response = await Http.GetAsync(new Uri(Run["proxy-dapr"].Url + "/v1.0/invoke/billing/method/healthz"));

        Assert.True(response.StatusCode == HttpStatusCode.OK, $"Invocation answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}\n{Run.Tail()}");
    }
}

[Collection(AppHostRuns.Name)]
public sealed class AppHostLifecycleTests
{
    private static readonly TimeSpan ExitTimeout = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Sigint_AfterReady_ExitsZeroAndLeavesNoChildRunning()
    {
        await using var run = AppHostRun.Start();
        await run.WaitForReadyAsync();
        run.RecordChildren();
        Assert.All(run.Resources, r => Assert.Contains(run.Children, c => c.Pid == r.ProcessId));

        run.Interrupt();
        var exitCode = await run.WaitForExitAsync(ExitTimeout);

        Assert.True(exitCode == 0, $"Exit code {exitCode}.\n{run.Tail()}");
        Assert.Empty(run.RunningChildren());
    }

    [Fact]
    public async Task ChildDeath_AfterReady_StopsEverythingAndExitsNonZero()
    {
        await using var run = AppHostRun.Start();
        await run.WaitForReadyAsync();
        var billing = run["billing"];

        using (var victim = System.Diagnostics.Process.GetProcessById(billing.ProcessId))
        {
            victim.Kill();
        }

        var exitCode = await run.WaitForExitAsync(ExitTimeout);

        Assert.True(exitCode != 0, $"Exit code {exitCode}.\n{run.Tail()}");
        Assert.Contains($"billing (pid {billing.ProcessId}) exited", run.Output, StringComparison.Ordinal);
        Assert.Empty(run.RunningChildren());
    }

    [Fact]
    public async Task AppHostKilledOutright_ChildrenStopByThemselves()
    {
        await using var run = AppHostRun.Start();
        await run.WaitForReadyAsync();
        run.RecordChildren();

        // SIGKILL to the AppHost alone: it cannot stop anything, so its children must notice on their own.
        using (var appHost = System.Diagnostics.Process.GetProcessById(run.ProcessId))
        {
            appHost.Kill(entireProcessTree: false);
        }

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(45);
        while (run.RunningChildren().Count > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(250);
        }

        Assert.True(run.RunningChildren().Count == 0, $"Still running: {string.Join(", ", run.RunningChildren().Select(c => c.Pid))}\n{run.Tail()}");
    }

    [Fact]
    public async Task StorePostgresql_KeepsStateInPostgresNotInTheSqliteFile()
    {
        await using var postgres = await PostgresServer.StartAsync();
        var connection = await postgres.CreateDatabaseAsync();

        await using var run = AppHostRun.Start(new Dictionary<string, string?> { ["GATEWAY_POSTGRES_CONNECTION"] = connection }, "--store", "postgresql");
        await run.WaitForReadyAsync();
        await StateRoundTrip.AssertAsync(run);

        Assert.Contains("Store: postgresql", run.Output, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(run.WorkDirectory, "data", "gateway.db")));
        run.Interrupt();
        Assert.Equal(0, await run.WaitForExitAsync(ExitTimeout));
    }

    [Fact]
    public async Task Start_WhenASidecarDiesAtStart_ExitsNonZeroNamingIt()
    {
        using var components = new TempFolder("gateway-apphost-components");
        File.WriteAllText(components.Combine("statestore.yaml"), """
            apiVersion: dapr.io/v1alpha1
            kind: Component
            metadata:
              name: statestore
            spec:
              type: state.no-such-store
              version: v1
            """);

        await using var run = AppHostRun.Start("--resources-path", components.Path);
        var exitCode = await run.WaitForExitAsync(TimeSpan.FromSeconds(90));

        Assert.True(exitCode != 0, $"Exit code {exitCode}.\n{run.Tail()}");
        Assert.Matches(@"-dapr \(pid \d+\) exited during startup with code [1-9]", run.Output);
        Assert.DoesNotContain(AppHostRun.ReadyLine, run.Output, StringComparison.Ordinal);
        // The services at least were alive when their "Started" line was read; a failing sidecar may already be gone.
        Assert.True(run.Children.Count >= 3, $"Only {run.Children.Count} children recorded.\n{run.Tail()}");
        Assert.Empty(run.RunningChildren());
    }

    [Fact]
    public async Task Start_WhenAPortIsInUse_ExitsNonZeroNamingResourceAndPort()
    {
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var port = ((IPEndPoint)occupant.LocalEndpoint).Port;

        await using var run = AppHostRun.Start($"--port=billing-dapr={port}");
        var exitCode = await run.WaitForExitAsync(ExitTimeout);

        Assert.True(exitCode != 0, $"Exit code {exitCode}.\n{run.Tail()}");
        Assert.Contains($"Port {port} for 'billing-dapr' is already in use", run.Output, StringComparison.Ordinal);
        Assert.DoesNotContain(AppHostRun.ReadyLine, run.Output, StringComparison.Ordinal);
        Assert.Empty(ProcessTable.ChildrenOf(run.ProcessId));
    }

    [Fact]
    public async Task Help_PrintsOptionsAndExitsZero()
    {
        await using var run = AppHostRun.Start("--help");
        var exitCode = await run.WaitForExitAsync(ExitTimeout);

        Assert.Equal(0, exitCode);
        Assert.Contains("--ports fixed|auto", run.Output, StringComparison.Ordinal);
        Assert.Contains("proxy-dapr", run.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--no-such-option", "--no-such-option")]
    [InlineData("--ports=sometimes", "--ports")]
    [InlineData("--store mongodb", "--store")]
    [InlineData("--startup-timeout 0", "--startup-timeout")]
    [InlineData("--port billing=70000", "--port")]
    [InlineData("--sidecar", "--sidecar")]
    public async Task BadCommandLine_ExitsWithUsageErrorNamingTheOption(string arguments, string named)
    {
        await using var run = AppHostRun.Start(arguments.Split(' '));
        var exitCode = await run.WaitForExitAsync(ExitTimeout);

        Assert.True(exitCode == 2, $"Exit code {exitCode}.\n{run.Tail()}");
        Assert.Contains(named, run.Output, StringComparison.Ordinal);
        Assert.Empty(ProcessTable.ChildrenOf(run.ProcessId));
    }
}

/// <summary>Saves a value through billing's sidecar and reads it back: the store the AppHost chose works.</summary>
internal static class StateRoundTrip
{
    private static readonly HttpClient Http = new(new SocketsHttpHandler { UseProxy = false }) { Timeout = TimeSpan.FromSeconds(30) };

    public static async Task AssertAsync(AppHostRun run)
    {
        var sidecar = run["billing-dapr"].Url;
        var key = "apphost-" + Guid.NewGuid().ToString("N");
        using var save = await Http.PostAsync(
            new Uri(sidecar + "/v1.0/state/statestore"),
            System.Net.Http.Json.JsonContent.Create(new[] { new { key, value = new { answer = 42 } } }));
        Assert.True(save.StatusCode == HttpStatusCode.NoContent, $"Save answered {(int)save.StatusCode}: {await save.Content.ReadAsStringAsync()}\n{run.Tail()}");

        using var read = await Http.GetAsync(new Uri($"{sidecar}/v1.0/state/statestore/{key}"));
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Contains("42", await read.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }
}
