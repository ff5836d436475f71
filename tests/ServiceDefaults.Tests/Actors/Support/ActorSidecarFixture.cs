using Gateway.ServiceDefaults.Actors;
using Gateway.Testing;

namespace Gateway.ServiceDefaults.Tests.Actors.Support;

/// <summary>
/// An <see cref="ActorTestApp"/> beside a real LocalSidecar whose actor state store is SQLite in a
/// temp folder: the whole path daprd would take. Shared by a test class; each test owns its actor ids.
/// </summary>
public class ActorSidecarFixture : IAsyncLifetime
{
    private readonly TempFolder _folder = new("sd-actors");
    private ActorTestApp? _app;
    private SidecarProcess? _sidecar;

    public ActorTestApp App => _app ?? throw new InvalidOperationException("not started");

    public SidecarProcess Sidecar => _sidecar ?? throw new InvalidOperationException("not started");

    /// <summary>A client for the sidecar's HTTP API.</summary>
    public HttpClient SidecarHttp { get; private set; } = null!;

    /// <summary>The actor settings this fixture's app sends; reentrancy is on, so A → B → A works.</summary>
    protected virtual void Configure(ActorRuntimeOptions options) =>
        options.Reentrancy = new ActorReentrancyOptions { Enabled = true };

    public async Task InitializeAsync()
    {
        var resources = Directory.CreateDirectory(_folder.Combine("resources")).FullName;
        await File.WriteAllTextAsync(
            Path.Combine(resources, "state.yaml"),
            ComponentYaml.StateStore(StateStoreKind.Sqlite, "statestore", _folder.Combine("actors.db"), actorStateStore: true));
        var sidecarPort = FreePort.Next();
        _app = await ActorTestApp.StartAsync(new Uri($"http://127.0.0.1:{sidecarPort}"), Configure);
        _sidecar = await SidecarProcess.StartAsync("sd-actors", resources, Directory.CreateDirectory(_folder.Combine("registry")).FullName, _app.Port, httpPort: sidecarPort);
        await _sidecar.WaitUntilAsync("/v1.0/healthz", TimeSpan.FromSeconds(30));
        SidecarHttp = new HttpClient { BaseAddress = _sidecar.HttpEndpoint, Timeout = TimeSpan.FromSeconds(30) };
    }

    public async Task DisposeAsync()
    {
        SidecarHttp?.Dispose();
        if (_sidecar is not null)
        {
            await _sidecar.DisposeAsync();
        }

        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        _folder.Dispose();
    }
}

/// <summary>A fresh actor id for each test.</summary>
internal static class ActorIds
{
    public static string New(string prefix = "c") => $"{prefix}-{Guid.NewGuid():N}";
}
