using Dapr.Actors;
using Gateway.Testing;

namespace Gateway.LocalSidecar.Tests.SdkActors;

/// <summary>
/// Dapr.Actors end to end against LocalSidecar, on each kind of store: an app hosting
/// <see cref="ProbeActor"/> with Dapr.Actors.AspNetCore behind one sidecar, called through
/// <c>ActorProxy</c> from another sidecar. The host deactivates idle actors after two seconds, set
/// through the SDK's options.
/// </summary>
public abstract class SdkActorTests<TFixture>(TFixture fixture) : IClassFixture<TFixture>
    where TFixture : ProbeClusterFixture
{
    private readonly ProbeCluster _cluster = fixture.Cluster;

    private static string NewId() => "p" + Guid.NewGuid().ToString("N")[..12];

    private ActorJournal Journal => _cluster.Replicas[0].Journal;

    [Fact]
    public async Task TypedProxy_StateManagerSetGetRemove_PersistsAcrossDeactivation()
    {
        var id = NewId();
        var probe = _cluster.Probe(id);

        await probe.PutAsync(new StateEntry("kept", "one"));
        await probe.PutAsync(new StateEntry("dropped", "two"));
        var removed = await probe.RemoveAsync("dropped");
        var removedAgain = await probe.RemoveAsync("dropped");
        var kept = await probe.ReadAsync("kept");
        var dropped = await probe.ReadAsync("dropped");
        await Eventually.HoldsAsync(() => Journal.Count(id, ActorEventKind.Deactivated) == 1, "the idle actor is deactivated");
        var keptAfter = await probe.ReadAsync("kept");
        var droppedAfter = await probe.ReadAsync("dropped");

        Assert.True(removed);
        Assert.False(removedAgain);
        Assert.Equal(new StateRead(true, "one"), kept);
        Assert.Equal(new StateRead(false, null), dropped);
        Assert.Equal(new StateRead(true, "one"), keptAfter);
        Assert.Equal(new StateRead(false, null), droppedAfter);
        Assert.Equal(2, Journal.Count(id, ActorEventKind.Activated));
    }

    [Fact]
    public async Task StateManagerTtl_IsRefusedAsByDaprdWithoutItsActorStateTTLFeature_AndNothingIsSaved()
    {
        var id = NewId();
        var probe = _cluster.Probe(id);

        var refused = await Assert.ThrowsAsync<ActorMethodInvocationException>(() => probe.PutWithTtlAsync(new StateEntry("k", "v"), TimeSpan.FromMinutes(1)));
        var read = await probe.ReadAsync("k");

        Assert.Contains("ActorStateTTL", refused.InnerException?.Message, StringComparison.Ordinal);
        Assert.Equal(new StateRead(false, null), read);
    }

    [Fact]
    public async Task NonRemotingProxy_InvokeMethodAsync_CallsTheSameMethods_WithPlainJson()
    {
        var id = NewId();
        var proxy = _cluster.Proxies.Create(new ActorId(id), ProbeActor.TypeName);

        await proxy.InvokeMethodAsync(nameof(IProbeActor.PutAsync), new StateEntry("k", "plain json"));
        var read = await proxy.InvokeMethodAsync<string, StateRead>(nameof(IProbeActor.ReadAsync), "k");
        var where = await proxy.InvokeMethodAsync<Whereabouts>(nameof(IProbeActor.LocateAsync));
        var typed = await _cluster.Probe(id).ReadAsync("k");

        Assert.Equal(new StateRead(true, "plain json"), read);
        Assert.Equal(new Whereabouts("replica0", id, 1), where);
        Assert.Equal(read, typed);
    }

    // Dapr.Actors 1.19.1 also takes a turn per actor in the app (its internal ActorTurnLock), so
    // through the SDK this shows the guarantee end to end; the sidecar's own turn, which the SDK
    // cannot see past, is shown by the raw contract (ActorContract.Turns_*) and by the replicas test.
    [Fact]
    public async Task Turns_FiftyConcurrentCallsOnOneActor_NeverOverlap_AndEachSeesThePreviousWrite()
    {
        var id = NewId();
        var probe = _cluster.Probe(id);

        var counts = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => probe.TakeTurnAsync()));

        Assert.Equal(1, Journal.MaxConcurrency(id));
        Assert.Equal(Enumerable.Range(1, 50), counts.Order());
        Assert.Equal(51, await probe.TakeTurnAsync());
    }

    [Fact]
    public async Task Reminder_FiresWithItsData_Repeats_AndStopsWhenUnregistered()
    {
        var id = NewId();
        var probe = _cluster.Probe(id);

        await probe.StartReminderAsync(new Schedule("tick", TimeSpan.Zero, TimeSpan.FromSeconds(1)));
        var registered = await probe.DescribeReminderAsync("tick");
        await Eventually.HoldsAsync(() => Journal.Count(id, ActorEventKind.Reminder, "tick") >= 2, "tick fires twice");
        await probe.StopReminderAsync("tick");
        var unregistered = await probe.DescribeReminderAsync("tick");

        // Absence shown by a later event: a second reminder of the same period fires twice, and
        // the first one never fires after the second one's first firing.
        await probe.StartReminderAsync(new Schedule("witness", TimeSpan.Zero, TimeSpan.FromSeconds(1)));
        await Eventually.HoldsAsync(() => Journal.Count(id, ActorEventKind.Reminder, "witness") >= 2, "witness fires twice");
        await probe.StopReminderAsync("witness");

        Assert.Equal(new ReminderView("tick", TimeSpan.Zero, TimeSpan.FromSeconds(1)), registered);
        Assert.Null(unregistered);
        var ticks = Journal.Of(id, ActorEventKind.Reminder, "tick");
        var firstWitness = Journal.Of(id, ActorEventKind.Reminder, "witness")[0];
        Assert.All(ticks, t => Assert.Equal("tick", t.Data));
        Assert.DoesNotContain(ticks, t => t.Sequence > firstWitness.Sequence);
    }

    [Fact]
    public async Task Reminder_WithRepetitions_FiresExactlyThatOften()
    {
        var id = NewId();
        var probe = _cluster.Probe(id);

        await probe.StartRepeatingReminderAsync(new Schedule("thrice", TimeSpan.Zero, TimeSpan.FromSeconds(1)), repetitions: 3);
        await Eventually.HoldsAsync(() => Journal.Count(id, ActorEventKind.Reminder, "thrice") == 3, "thrice fires three times");

        // A witness registered after the third firing, with the same period, fires twice meanwhile.
        await probe.StartReminderAsync(new Schedule("witness", TimeSpan.Zero, TimeSpan.FromSeconds(1)));
        await Eventually.HoldsAsync(() => Journal.Count(id, ActorEventKind.Reminder, "witness") >= 2, "witness fires twice");
        await probe.StopReminderAsync("witness");

        Assert.Equal(3, Journal.Count(id, ActorEventKind.Reminder, "thrice"));
        Assert.Null(await probe.DescribeReminderAsync("thrice"));
    }

    [Fact]
    public async Task ActorToActor_ThroughTheHostingAppsOwnProxyFactory_ReachesTheOtherActor()
    {
        var (asker, other) = (NewId(), NewId());

        var answer = await _cluster.Probe(asker).AskAsync(other);

        Assert.Equal(new Whereabouts("replica0", other, 1), answer);
    }

    [Fact]
    public async Task Reentrancy_OfATypeRegisteredWithIt_LetsAnActorCallItselfThroughItsSidecar()
    {
        var id = NewId();
        var reentrant = _cluster.Proxies.CreateActorProxy<IProbeActor>(new ActorId(id), ProbeApp.ReentrantTypeName);

        var depth = await reentrant.RecurseAsync(3);

        Assert.Equal(3, depth);
        Assert.Single(Journal.Of(id, ActorEventKind.Activated));
    }

    [Fact]
    public async Task Timer_FiresItsCallback_AndStopsWhenUnregistered()
    {
        var id = NewId();
        var probe = _cluster.Probe(id);

        await probe.StartTimerAsync(new Schedule("beat", TimeSpan.Zero, TimeSpan.FromMilliseconds(300)));
        await Eventually.HoldsAsync(() => Journal.Count(id, ActorEventKind.Timer, "beat") >= 2, "beat fires twice");
        await probe.StopTimerAsync("beat");

        await probe.StartTimerAsync(new Schedule("witness", TimeSpan.Zero, TimeSpan.FromMilliseconds(300)));
        await Eventually.HoldsAsync(() => Journal.Count(id, ActorEventKind.Timer, "witness") >= 2, "witness fires twice");
        await probe.StopTimerAsync("witness");

        var firstWitness = Journal.Of(id, ActorEventKind.Timer, "witness")[0];
        Assert.DoesNotContain(Journal.Of(id, ActorEventKind.Timer, "beat"), t => t.Sequence > firstWitness.Sequence);
    }

    [Fact]
    public async Task IdleActor_IsDeactivatedThroughOnDeactivateAsync_AndReactivatesWithItsState()
    {
        var id = NewId();
        var probe = _cluster.Probe(id);

        await probe.PutAsync(new StateEntry("k", "v"));
        await Eventually.HoldsAsync(() => Journal.Count(id, ActorEventKind.Deactivated) == 1, "the idle actor is deactivated");
        var where = await probe.LocateAsync();
        var read = await probe.ReadAsync("k");

        Assert.Equal(2, where.Activations);
        Assert.Equal(new StateRead(true, "v"), read);
        var lifecycle = Journal.Events.Where(e => e.ActorId == id && e.Kind is ActorEventKind.Activated or ActorEventKind.Deactivated).Select(e => e.Kind);
        Assert.Equal([ActorEventKind.Activated, ActorEventKind.Deactivated, ActorEventKind.Activated], lifecycle);
    }
}

/// <summary>The SDK facts that need a cluster of their own: restarts, replicas, the API token.</summary>
public sealed class SdkActorClusterTests
{
    private const string Token = "sdk-actors-token";

    private static string NewId() => "p" + Guid.NewGuid().ToString("N")[..12];

    [Theory]
    [InlineData(StateStoreKind.Sqlite)]
    [InlineData(StateStoreKind.PostgreSql)]
    public async Task Reminder_SurvivesASidecarRestartOnTheSameStoreAndPort(StateStoreKind store)
    {
        await using var postgres = store == StateStoreKind.PostgreSql ? await PostgresServer.StartAsync() : null;
        await using var cluster = await ProbeCluster.StartAsync(store: store, connection: postgres is null ? null : await postgres.CreateDatabaseAsync());
        var host = cluster.Replicas[0];
        var id = NewId();

        await cluster.Probe(id).StartReminderAsync(new Schedule("tick", TimeSpan.Zero, TimeSpan.FromSeconds(1)));
        await Eventually.HoldsAsync(() => host.Journal.Count(id, ActorEventKind.Reminder, "tick") >= 1, "tick fires");
        await ProbeCluster.StopSidecarAsync(host);
        var beforeRestart = host.Journal.Count(id, ActorEventKind.Reminder, "tick");
        await cluster.StartSidecarAsync(host);

        await Eventually.HoldsAsync(() => host.Journal.Count(id, ActorEventKind.Reminder, "tick") > beforeRestart, "tick fires again after the restart");
        await cluster.Probe(id).StopReminderAsync("tick");
    }

    [Fact]
    public async Task IdleTimeout_OfATypeRegisteredWithTypeOptions_AppliesToThatTypeOnly()
    {
        await using var cluster = await ProbeCluster.StartAsync();
        var journal = cluster.Replicas[0].Journal;
        var (lasting, shortLived) = (NewId(), NewId());

        // The app-wide idle timeout is daprd's default hour; the second type has its own second.
        await cluster.Probe(lasting).LocateAsync();
        await cluster.Proxies.CreateActorProxy<IProbeActor>(new ActorId(shortLived), ProbeApp.ShortLivedTypeName).PutAsync(new StateEntry("k", "v"));
        await Eventually.HoldsAsync(() => journal.Count(shortLived, ActorEventKind.Deactivated) == 1, "the short-lived actor is deactivated");

        Assert.Equal(0, journal.Count(lasting, ActorEventKind.Deactivated));
    }

    [Fact]
    public async Task Replicas_ManyIdsCalledConcurrentlyThroughEverySidecar_EachIdIsActivatedExactlyOnce()
    {
        await using var cluster = await ProbeCluster.StartAsync(replicas: 2);
        var ids = Enumerable.Range(0, 40).Select(_ => NewId()).ToList();
        var sidecars = new[] { cluster.Caller, cluster.Replicas[0].Sidecar, cluster.Replicas[1].Sidecar }
            .Select(s => ProbeCluster.ProxiesVia(s, apiToken: null))
            .ToList();

        var calls = ids.SelectMany(id => sidecars.SelectMany(proxies => Enumerable.Range(0, 2).Select(async _ =>
            await proxies.CreateActorProxy<IProbeActor>(new ActorId(id), ProbeActor.TypeName).LocateAsync())));
        var answers = await Task.WhenAll(calls);

        foreach (var id in ids)
        {
            var hosts = answers.Where(a => a.ActorId == id).Select(a => a.Host).Distinct().ToList();
            Assert.Single(hosts);
            Assert.Single(cluster.EventsOf(id, ActorEventKind.Activated));
        }

        Assert.All(cluster.Replicas, r => Assert.Contains(answers, a => a.Host == r.Journal.Host));
    }

    [Fact]
    public async Task ApiToken_ProxiesWithTheTokenWork_ProxiesWithoutOrWithAWrongOneAreRejected()
    {
        await using var cluster = await ProbeCluster.StartAsync(settings: new ProbeAppSettings(ApiToken: Token));
        var id = NewId();
        var withToken = cluster.Probe(id);
        var withoutToken = ProbeCluster.ProxiesVia(cluster.Caller, apiToken: null).CreateActorProxy<IProbeActor>(new ActorId(id), ProbeActor.TypeName);
        var wrongToken = ProbeCluster.ProxiesVia(cluster.Caller, apiToken: "wrong").Create(new ActorId(id), ProbeActor.TypeName);

        await withToken.PutAsync(new StateEntry("k", "v"));
        var read = await withToken.ReadAsync("k");
        var missing = await Record.ExceptionAsync(() => withoutToken.ReadAsync("k"));
        var wrong = await Record.ExceptionAsync(() => wrongToken.InvokeMethodAsync<string, StateRead>(nameof(IProbeActor.ReadAsync), "k"));

        Assert.Equal(new StateRead(true, "v"), read);
        Assert.IsType<System.Security.Authentication.AuthenticationException>(missing);
        Assert.IsType<System.Security.Authentication.AuthenticationException>(wrong);
    }
}

public sealed class InMemorySdkActorTests(InMemoryProbeCluster fixture) : SdkActorTests<InMemoryProbeCluster>(fixture);

public sealed class SqliteSdkActorTests(SqliteProbeCluster fixture) : SdkActorTests<SqliteProbeCluster>(fixture);

public sealed class PostgresSdkActorTests(PostgresProbeCluster fixture) : SdkActorTests<PostgresProbeCluster>(fixture);

/// <summary>One cluster shared by the tests of a <see cref="SdkActorTests{TFixture}"/> class; every test uses its own actor ids.</summary>
public abstract class ProbeClusterFixture(StateStoreKind store) : IAsyncLifetime
{
    public ProbeCluster Cluster { get; private set; } = null!;

    public async Task InitializeAsync() =>
        Cluster = await ProbeCluster.StartAsync(
            settings: new ProbeAppSettings(IdleTimeout: TimeSpan.FromSeconds(2), ScanInterval: TimeSpan.FromMilliseconds(200)),
            store: store,
            connection: await CreateStoreAsync());

    public virtual async Task DisposeAsync()
    {
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }
    }

    /// <summary>The connection string of a PostgreSQL store; null for the others.</summary>
    protected virtual Task<string?> CreateStoreAsync() => Task.FromResult<string?>(null);
}

public sealed class InMemoryProbeCluster() : ProbeClusterFixture(StateStoreKind.InMemory);

public sealed class SqliteProbeCluster() : ProbeClusterFixture(StateStoreKind.Sqlite);

public sealed class PostgresProbeCluster() : ProbeClusterFixture(StateStoreKind.PostgreSql)
{
    private PostgresServer? _server;

    protected override async Task<string?> CreateStoreAsync()
    {
        _server = await PostgresServer.StartAsync();
        return await _server.CreateDatabaseAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
