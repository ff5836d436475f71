using Dapr;
using Gateway.ServiceDefaults.Dapr;
using Gateway.ServiceDefaults.Tests.Dapr.Support;
using Gateway.Testing;
using Grpc.Core;

namespace Gateway.ServiceDefaults.Tests.Dapr;

/// <summary>A LocalSidecar started with <c>DAPR_API_TOKEN</c>: the SDK's calls through the adapter need the token.</summary>
public sealed class ApiTokenTests : IClassFixture<ApiTokenTests.TokenSidecar>
{
    private const string Token = "sd-test-token";
    private const string Store = "statestore";
    private readonly TokenSidecar _sidecar;

    public ApiTokenTests(TokenSidecar sidecar) => _sidecar = sidecar;

    [Fact]
    public async Task Calls_WithTheToken_Succeed()
    {
        using var clients = new TestDaprClients(_sidecar.GrpcEndpoint, apiToken: Token);
        var key = TestKeys.New();

        await clients.State.SaveStateAsync(Store, key, new Account("a", 1));
        var created = await clients.State.TrySaveStateAsync(Store, TestKeys.New(), new Account("b", 2), etag: null);

        Assert.Equal(new Account("a", 1), (await clients.State.GetStateAsync<Account>(Store, key))!.Value);
        Assert.True(created.IsWritten);
    }

    [Fact]
    public async Task Calls_WithoutTheToken_ThrowUnauthenticated_EvenConditionalWrites()
    {
        using var clients = new TestDaprClients(_sidecar.GrpcEndpoint);

        var read = SidecarFailure.Of(await Assert.ThrowsAsync<DaprException>(() => clients.State.GetStateAsync<Account>(Store, TestKeys.New())));
        var write = SidecarFailure.Of(await Assert.ThrowsAsync<DaprException>(() => clients.State.TrySaveStateAsync(Store, TestKeys.New(), new Account("a", 1), etag: null)));

        Assert.Equal(StatusCode.Unauthenticated, read?.StatusCode);
        Assert.Equal("Unauthorized", read?.Reason);
        Assert.Equal(StatusCode.Unauthenticated, write?.StatusCode);
    }

    [Fact]
    public async Task Calls_WithAWrongToken_ThrowUnauthorized()
    {
        using var clients = new TestDaprClients(_sidecar.GrpcEndpoint, apiToken: "wrong");

        var error = SidecarFailure.Of(await Assert.ThrowsAsync<DaprException>(() => clients.State.DeleteStateAsync(Store, TestKeys.New())));

        Assert.Equal(StatusCode.Unauthenticated, error?.StatusCode);
    }

    public sealed class TokenSidecar : IAsyncLifetime
    {
        private readonly TempFolder _folder = new("sd-token");
        private SidecarProcess? _sidecar;

        public Uri GrpcEndpoint => _sidecar?.GrpcEndpoint ?? throw new InvalidOperationException("not started");

        public async Task InitializeAsync()
        {
            var resources = Directory.CreateDirectory(_folder.Combine("resources")).FullName;
            await File.WriteAllTextAsync(Path.Combine(resources, "store.yaml"), ComponentYaml.StateStore(StateStoreKind.InMemory, Store));
            _sidecar = await SidecarProcess.StartAsync(
                "sd-token",
                resources,
                Directory.CreateDirectory(_folder.Combine("registry")).FullName,
                environment: new Dictionary<string, string?> { ["DAPR_API_TOKEN"] = Token });
        }

        public async Task DisposeAsync()
        {
            if (_sidecar is not null)
            {
                await _sidecar.DisposeAsync();
            }

            _folder.Dispose();
        }
    }
}
