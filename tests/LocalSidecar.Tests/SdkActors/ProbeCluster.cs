using System.Globalization;
using Dapr.Actors;
using Dapr.Actors.Client;
using Gateway.Testing;

namespace Gateway.LocalSidecar.Tests.SdkActors;

/// <summary>
/// One or more replicas of a <see cref="ProbeApp"/>, each behind its own LocalSidecar (one app id,
/// one actor state store, one registry standing in for placement), and a caller sidecar without
/// an app, through which tests reach the actors with <see cref="ActorProxy"/>. The store is SQLite
/// unless told otherwise (an in-memory store lives in each sidecar process, so it is not shared).
/// </summary>
public sealed class ProbeCluster : IAsyncDisposable
{
    public const string AppId = "sdkprobe";
    public const string CallerAppId = "sdkcaller";

    private static readonly TimeSpan Startup = TimeSpan.FromSeconds(30);

    private readonly TempFolder _folder = new("sdk-actors");
    private readonly List<ProbeReplica> _replicas = [];

    private ProbeCluster(ProbeAppSettings settings) => Settings = settings;

    public ProbeAppSettings Settings { get; }

    public IReadOnlyList<ProbeReplica> Replicas => _replicas;

    public SidecarProcess Caller { get; private set; } = null!;

    /// <summary>Proxies through the caller's sidecar, with the API token when the sidecars require one.</summary>
    public ActorProxyFactory Proxies { get; private set; } = null!;

    private string Components => _folder.Combine("components");

    private string Registry => _folder.Combine("registry");

    /// <param name="replicas">How many hosting apps, each with its sidecar.</param>
    /// <param name="settings">The hosting apps' settings.</param>
    /// <param name="store">The kind of actor state store.</param>
    /// <param name="connection">Its connection string, for PostgreSQL (SQLite gets a file of the cluster's).</param>
    public static async Task<ProbeCluster> StartAsync(int replicas = 1, ProbeAppSettings? settings = null, StateStoreKind store = StateStoreKind.Sqlite, string? connection = null)
    {
        var cluster = new ProbeCluster(settings ?? new ProbeAppSettings());
        try
        {
            Directory.CreateDirectory(cluster.Components);
            await File.WriteAllTextAsync(
                Path.Combine(cluster.Components, "statestore.yaml"),
                ComponentYaml.StateStore(store, connection: store == StateStoreKind.Sqlite ? cluster._folder.Combine("state.db") : connection, actorStateStore: true));
            for (var i = 0; i < replicas; i++)
            {
                var sidecarPort = FreePort.Next();
                var app = await ProbeApp.StartAsync($"replica{i}", sidecarPort, cluster.Settings);
                var replica = new ProbeReplica(app, sidecarPort);
                cluster._replicas.Add(replica);
                await cluster.StartSidecarAsync(replica);
            }

            cluster.Caller = await SidecarProcess.StartAsync(CallerAppId, cluster.Components, cluster.Registry, environment: cluster.SidecarEnvironment());
            cluster.Proxies = ProxiesVia(cluster.Caller, cluster.Settings.ApiToken);
            return cluster;
        }
        catch
        {
            await cluster.DisposeAsync();
            throw;
        }
    }

    /// <summary>Proxies through <paramref name="sidecar"/>: the standard options only (endpoint, token, JSON remoting).</summary>
    public static ActorProxyFactory ProxiesVia(SidecarProcess sidecar, string? apiToken) => new(new ActorProxyOptions
    {
        HttpEndpoint = $"http://127.0.0.1:{sidecar.HttpPort.ToString(CultureInfo.InvariantCulture)}",
        DaprApiToken = apiToken,
        UseJsonSerialization = true,
    });

    public IProbeActor Probe(string id) => Proxies.CreateActorProxy<IProbeActor>(new ActorId(id), ProbeActor.TypeName);

    /// <summary>Every event of every replica, in the order they happened.</summary>
    public IReadOnlyList<ActorEvent> Events => [.. _replicas.SelectMany(r => r.App.Journal.Events).OrderBy(e => e.Sequence)];

    public IReadOnlyList<ActorEvent> EventsOf(string actorId, ActorEventKind kind, string? name = null) =>
        [.. Events.Where(e => e.ActorId == actorId && e.Kind == kind && (name is null || e.Name == name))];

    /// <summary>Stops a replica's sidecar (SIGTERM, as daprd is stopped) and starts it again on the same port and store.</summary>
    public async Task RestartSidecarAsync(ProbeReplica replica)
    {
        await StopSidecarAsync(replica);
        await StartSidecarAsync(replica);
    }

    public static async Task StopSidecarAsync(ProbeReplica replica)
    {
        replica.Sidecar.Process.Signal(15);
        await replica.Sidecar.Process.WaitForExitAsync(Startup);
        await replica.Sidecar.DisposeAsync();
    }

    public async Task StartSidecarAsync(ProbeReplica replica)
    {
        replica.Sidecar = await SidecarProcess.StartAsync(AppId, Components, Registry, replica.App.Port, SidecarEnvironment(), replica.SidecarPort);
        await replica.Sidecar.WaitUntilAsync("/v1.0/healthz", Startup);
    }

    private Dictionary<string, string?> SidecarEnvironment() =>
        Settings.ApiToken is { } token ? new() { ["DAPR_API_TOKEN"] = token } : [];

    public async ValueTask DisposeAsync()
    {
        if (Caller is not null)
        {
            await Caller.DisposeAsync();
        }

        foreach (var replica in _replicas)
        {
            if (replica.Sidecar is not null)
            {
                await replica.Sidecar.DisposeAsync();
            }

            await replica.App.DisposeAsync();
        }

        _folder.Dispose();
    }
}

/// <summary>One hosting app and its sidecar, whose port stays the same across restarts.</summary>
public sealed class ProbeReplica(ProbeApp app, int sidecarPort)
{
    public ProbeApp App { get; } = app;

    public int SidecarPort { get; } = sidecarPort;

    public SidecarProcess Sidecar { get; internal set; } = null!;

    public ActorJournal Journal => App.Journal;
}
