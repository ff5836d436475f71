using Gateway.Testing;

namespace Gateway.ServiceDefaults.Tests.Dapr.Support;

/// <summary>
/// One LocalSidecar with two state stores, <c>sqlite</c> (a file in a temp folder) and
/// <c>memory</c>, shared by the state tests; each test owns its keys.
/// </summary>
public sealed class StateSidecarFixture : IAsyncLifetime
{
    public const string Sqlite = "sqlite";
    public const string Memory = "memory";

    private readonly TempFolder _folder = new("sd-state");
    private SidecarProcess? _sidecar;

    public static TheoryData<string> Stores => new() { Sqlite, Memory };

    public Uri GrpcEndpoint => _sidecar?.GrpcEndpoint ?? throw new InvalidOperationException("not started");

    public async Task InitializeAsync()
    {
        var resources = Directory.CreateDirectory(_folder.Combine("resources")).FullName;
        await File.WriteAllTextAsync(Path.Combine(resources, "sqlite.yaml"), ComponentYaml.StateStore(StateStoreKind.Sqlite, Sqlite, _folder.Combine("state.db")));
        await File.WriteAllTextAsync(Path.Combine(resources, "memory.yaml"), ComponentYaml.StateStore(StateStoreKind.InMemory, Memory));
        _sidecar = await SidecarProcess.StartAsync("sd-state", resources, Directory.CreateDirectory(_folder.Combine("registry")).FullName);
    }

    internal TestDaprClients CreateClients(Action<Gateway.ServiceDefaults.Dapr.DaprClientOptions>? configure = null) => new(GrpcEndpoint, configure: configure);

    public async Task DisposeAsync()
    {
        if (_sidecar is not null)
        {
            await _sidecar.DisposeAsync();
        }

        _folder.Dispose();
    }
}

[CollectionDefinition(Name)]
public sealed class StateSidecarGroup : ICollectionFixture<StateSidecarFixture>
{
    public const string Name = "state sidecar";
}
