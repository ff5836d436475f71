using System.Net;
using System.Net.Sockets;
using Dapr;
using Dapr.Client;
using Grpc.Core;
using Grpc.Net.Client;
using Gateway.Testing;

namespace Gateway.LocalSidecar.Tests.Hosting;

/// <summary>What LocalSidecar does with its command line and components folder at start.</summary>
public sealed class SidecarStartupTests : IDisposable
{
    private readonly TempFolder _folder = new("sidecar-startup");

    private string Components => Directory.CreateDirectory(_folder.Combine("components")).FullName;

    [Fact]
    public async Task Start_WithBrokenYaml_FailsNamingTheFile()
    {
        var file = Path.Combine(Components, "broken.yaml");
        await File.WriteAllTextAsync(file, "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata: { name: x\nspec: [");

        var (exitCode, output) = await RunToExitAsync("--app-id", "a", "--resources-path", Components);

        Assert.Equal(1, exitCode);
        Assert.Contains(file, output, StringComparison.Ordinal);
        Assert.Contains("invalid YAML", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_WithAnUnknownComponentType_FailsNamingTheFileAndType()
    {
        var file = Path.Combine(Components, "pubsub.yaml");
        await File.WriteAllTextAsync(file, "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: pubsub\nspec:\n  type: pubsub.redis\n  version: v1\n");

        var (exitCode, output) = await RunToExitAsync("--app-id", "a", "--resources-path", Components);

        Assert.Equal(1, exitCode);
        Assert.Contains(file, output, StringComparison.Ordinal);
        Assert.Contains("pubsub.redis", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_WithAMissingEnvRef_FailsNamingTheVariable()
    {
        await File.WriteAllTextAsync(Path.Combine(Components, "state.yaml"), "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: statestore\nspec:\n  type: state.sqlite\n  version: v1\n  metadata:\n    - name: connectionString\n      envRef: GATEWAY_TEST_UNSET_VARIABLE\n");

        var (exitCode, output) = await RunToExitAsync("--app-id", "a", "--resources-path", Components);

        Assert.Equal(1, exitCode);
        Assert.Contains("GATEWAY_TEST_UNSET_VARIABLE", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_WithoutAppId_FailsWithUsageError()
    {
        var (exitCode, output) = await RunToExitAsync("--resources-path", Components);

        Assert.Equal(2, exitCode);
        Assert.Contains("--app-id is required", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_OnAPortInUse_FailsNamingThePort()
    {
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var port = ((IPEndPoint)occupant.LocalEndpoint).Port;

        var (exitCode, output) = await RunToExitAsync("--app-id", "a", "--resources-path", Components, "--dapr-http-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(1, exitCode);
        Assert.Contains($"{port}", output, StringComparison.Ordinal);
        Assert.Contains("address already in use", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_OnAGrpcPortInUse_FailsNamingThePort()
    {
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        var port = ((IPEndPoint)occupant.LocalEndpoint).Port;

        var (exitCode, output) = await RunToExitAsync("--app-id", "a", "--resources-path", Components, "--dapr-grpc-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(1, exitCode);
        Assert.Contains($"{port}", output, StringComparison.Ordinal);
        Assert.Contains("address already in use", output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task GrpcShutdown_AnswersThenStopsTheSidecar()
    {
        await using var sidecar = await SidecarProcess.StartAsync("stopping", Components, _folder.Combine("registry"));
        using var channel = GrpcChannel.ForAddress(sidecar.GrpcEndpoint);

        await new Dapr.Client.Autogen.Grpc.v1.Dapr.DaprClient(channel).ShutdownAsync(new Dapr.Client.Autogen.Grpc.v1.ShutdownRequest());

        Assert.Equal(0, await sidecar.Process.WaitForExitAsync(TimeSpan.FromSeconds(15)));
    }

    [Fact]
    public async Task Start_ResolvesEnvRefMetadata_AndSkipsComponentsOutOfScope()
    {
        var database = _folder.Combine("env.db");
        await File.WriteAllTextAsync(Path.Combine(Components, "state.yaml"), "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata:\n  name: statestore\nspec:\n  type: state.sqlite\n  version: v1\n  metadata:\n    - name: connectionString\n      envRef: GATEWAY_TEST_DB\n");
        await File.WriteAllTextAsync(Path.Combine(Components, "scoped.yaml"), ComponentYaml.StateStore(StateStoreKind.InMemory, "billingonly", scopes: ["billing"]));
        var environment = new Dictionary<string, string?> { ["GATEWAY_TEST_DB"] = database };

        await using var sidecar = await SidecarProcess.StartAsync("proxy", Components, _folder.Combine("registry"), environment: environment);
        using var client = new HttpClient { BaseAddress = sidecar.HttpEndpoint };
        using var saved = await client.PostAsync("/v1.0/state/statestore", new StringContent("""[{"key":"k","value":1}]"""));
        using var scoped = await client.GetAsync("/v1.0/state/billingonly/k");

        Assert.Equal(HttpStatusCode.NoContent, saved.StatusCode);
        Assert.True(File.Exists(database));
        Assert.Equal(HttpStatusCode.BadRequest, scoped.StatusCode);
        Assert.Contains("ERR_STATE_STORE_NOT_FOUND", await scoped.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_WithoutAnyStateStore_AnswersNotConfigured()
    {
        await using var sidecar = await SidecarProcess.StartAsync("lonely", Components, _folder.Combine("registry"));
        using var client = new HttpClient { BaseAddress = sidecar.HttpEndpoint };

        using var response = await client.GetAsync("/v1.0/state/statestore/k");

        Assert.Equal(HttpStatusCode.InternalServerError, response.StatusCode);
        Assert.Contains("ERR_STATE_STORE_NOT_CONFIGURED", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_WithoutAnyStateStore_AnswersFailedPreconditionOverGrpc()
    {
        await using var sidecar = await SidecarProcess.StartAsync("lonely-grpc", Components, _folder.Combine("registry"));
        using var dapr = new DaprClientBuilder().UseGrpcEndpoint(sidecar.GrpcEndpoint.ToString()).UseHttpEndpoint(sidecar.HttpEndpoint.ToString()).Build();

        var error = await Assert.ThrowsAsync<DaprException>(() => dapr.GetStateAsync<int>("statestore", "k"));

        var rpc = Assert.IsType<RpcException>(error.InnerException);
        Assert.Equal(StatusCode.FailedPrecondition, rpc.StatusCode);
        Assert.Equal("state store statestore is not configured", rpc.Status.Detail);
    }

    [Fact]
    public async Task ParentGone_TheSidecarStopsByItself()
    {
        await using var parent = TestProcess.Start("sleep", ["60"]);
        var environment = new Dictionary<string, string?> { ["GATEWAY_PARENT_PID"] = parent.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) };
        await using var sidecar = await SidecarProcess.StartAsync("orphan", Components, _folder.Combine("registry"), environment: environment);

        parent.Signal(9);

        Assert.Equal(0, await sidecar.Process.WaitForExitAsync(TimeSpan.FromSeconds(15)));
    }

    private static async Task<(int ExitCode, string Output)> RunToExitAsync(params string[] args)
    {
        string[] Port(string flag) => args.Contains(flag) ? [] : [flag, FreePort.Next().ToString(System.Globalization.CultureInfo.InvariantCulture)];
        await using var process = TestProcess.StartDotnet(Launchables.LocalSidecar, [.. args, .. Port("--dapr-http-port"), .. Port("--dapr-grpc-port")]);
        var exitCode = await process.WaitForExitAsync(TimeSpan.FromSeconds(30));
        return (exitCode, process.Output);
    }

    public void Dispose() => _folder.Dispose();
}
