using Gateway.Testing;

namespace Gateway.BillingService.Tests.Support;

/// <summary>
/// A state store (a SQLite file or a PostgreSQL database), one LocalSidecar process per replica
/// (app id <c>billing</c>, so they share the same keys), and the BillingService replicas.
/// </summary>
internal sealed class BillingStack : IAsyncDisposable
{
    private readonly TempFolder _folder;
    private readonly List<SidecarProcess> _sidecars;

    private BillingStack(TempFolder folder, List<SidecarProcess> sidecars, List<BillingReplica> replicas)
    {
        _folder = folder;
        _sidecars = sidecars;
        Replicas = replicas;
    }

    public IReadOnlyList<BillingReplica> Replicas { get; }

    /// <summary>The first replica's API.</summary>
    public BillingApi Api => Replicas[0].Api;

    /// <summary>The API of replica <paramref name="i"/> modulo the number of replicas, to spread calls.</summary>
    public BillingApi ApiOf(int i) => Replicas[i % Replicas.Count].Api;

    /// <param name="kind">SQLite or PostgreSQL.</param>
    /// <param name="postgresConnection">The database, for PostgreSQL.</param>
    /// <param name="replicas">How many BillingService replicas (each with its own sidecar).</param>
    /// <param name="clock">The business clock every replica shares, or null for the system clock.</param>
    /// <param name="settings">Configuration for every replica, e.g. <c>Billing:SweepInterval</c>.</param>
    public static async Task<BillingStack> StartAsync(StateStoreKind kind, string? postgresConnection, int replicas = 1, TimeProvider? clock = null, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var folder = new TempFolder("billing-tests");
        List<SidecarProcess> sidecars = [];
        List<BillingReplica> started = [];
        try
        {
            var components = Directory.CreateDirectory(folder.Combine("components")).FullName;
            var connection = kind == StateStoreKind.Sqlite ? folder.Combine("billing.db") : postgresConnection;
            await File.WriteAllTextAsync(Path.Combine(components, "statestore.yaml"), ComponentYaml.StateStore(kind, connection: connection, metadata: kind == StateStoreKind.Sqlite ? new Dictionary<string, string> { ["busyTimeout"] = "10s" } : null));
            var registry = folder.Combine("registry");
            sidecars.AddRange(await Task.WhenAll(Enumerable.Range(0, replicas).Select(_ => SidecarProcess.StartAsync("billing", components, registry))));
            foreach (var sidecar in sidecars)
            {
                var replica = new BillingReplica(sidecar.HttpPort, clock, settings ?? new Dictionary<string, string?>(), sidecar.GrpcPort);
                started.Add(replica);

                // Starts the host now, so options are validated and the sweeper runs from here on.
                _ = replica.Services;
            }

            return new BillingStack(folder, sidecars, started);
        }
        catch
        {
            await DisposeAllAsync(started, sidecars);
            folder.Dispose();
            throw;
        }
    }

    /// <summary>Kills every sidecar (the replicas keep running), to see how the service copes.</summary>
    public async Task StopSidecarsAsync()
    {
        foreach (var sidecar in _sidecars)
        {
            await sidecar.DisposeAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await DisposeAllAsync([.. Replicas], _sidecars);
        _folder.Dispose();
    }

    private static async Task DisposeAllAsync(List<BillingReplica> replicas, List<SidecarProcess> sidecars)
    {
        foreach (var replica in replicas)
        {
            await replica.DisposeAsync();
        }

        foreach (var sidecar in sidecars)
        {
            await sidecar.DisposeAsync();
        }
    }
}
