using Gateway.Testing;

namespace Gateway.LocalSidecar.Tests.Actors;

/// <summary>
/// An app hosting actors behind a LocalSidecar (SQLite actor state store), plus a second sidecar
/// without an app on the same machine, for calls that cross sidecars. The host's sidecar can be
/// restarted on the same store.
/// </summary>
public sealed class ActorHost : IAsyncDisposable
{
    public const string DefaultConfig = """
        {"entities":["Counter","Worker"],"actorIdleTimeout":"2s","actorScanInterval":"500ms","drainOngoingCallTimeout":"5s","drainRebalancedActors":true,"reentrancy":{"enabled":false}}
        """;

    private readonly TempFolder _folder = new("actors");

    private ActorHost(FakeActorApp app) => App = app;

    public FakeActorApp App { get; }

    public SidecarProcess Sidecar { get; private set; } = null!;

    public SidecarProcess Caller { get; private set; } = null!;

    public string Components => _folder.Combine("components");

    public string Registry => _folder.Combine("registry");

    public string Database => _folder.Combine("state.db");

    public HttpClient Client { get; private set; } = null!;

    public HttpClient CallerClient { get; private set; } = null!;

    public static async Task<ActorHost> StartAsync(string config = DefaultConfig)
    {
        var host = new ActorHost(await FakeActorApp.StartAsync(config));
        Directory.CreateDirectory(host.Components);
        await File.WriteAllTextAsync(Path.Combine(host.Components, "statestore.yaml"), ComponentYaml.StateStore(StateStoreKind.Sqlite, connection: host.Database, actorStateStore: true));
        await host.StartSidecarAsync();
        host.Caller = await SidecarProcess.StartAsync("actorcaller", host.Components, host.Registry);
        host.CallerClient = new HttpClient { BaseAddress = host.Caller.HttpEndpoint, Timeout = TimeSpan.FromSeconds(30) };
        return host;
    }

    /// <summary>Starts (again) the sidecar of the hosting app and waits until it is ready.</summary>
    public async Task StartSidecarAsync()
    {
        Sidecar = await SidecarProcess.StartAsync("actorhost", Components, Registry, App.Port);
        await Sidecar.WaitUntilAsync("/v1.0/healthz", TimeSpan.FromSeconds(30));
        App.SidecarPort = Sidecar.HttpPort;
        Client?.Dispose();
        Client = new HttpClient { BaseAddress = Sidecar.HttpEndpoint, Timeout = TimeSpan.FromSeconds(30) };
    }

    public async Task StopSidecarAsync()
    {
        Sidecar.Process.Signal(15);
        await Sidecar.Process.WaitForExitAsync(TimeSpan.FromSeconds(30));
        await Sidecar.DisposeAsync();
    }

    public async ValueTask DisposeAsync()
    {
        Client?.Dispose();
        CallerClient?.Dispose();
        if (Caller is not null)
        {
            await Caller.DisposeAsync();
        }

        if (Sidecar is not null)
        {
            await Sidecar.DisposeAsync();
        }

        await App.DisposeAsync();
        _folder.Dispose();
    }
}
