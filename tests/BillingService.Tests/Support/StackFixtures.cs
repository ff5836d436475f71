using Gateway.Testing;

namespace Gateway.BillingService.Tests.Support;

/// <summary>Starts stacks on one kind of store; <see cref="Shared"/> is a two-replica stack on the system clock for a whole test class.</summary>
public abstract class StackFixture : IAsyncLifetime
{
    private BillingStack? _shared;

    internal BillingStack Shared => _shared ?? throw new InvalidOperationException("Not initialised.");

    internal abstract StateStoreKind Kind { get; }

    /// <summary>A fresh stack on a fresh store (file or database).</summary>
    internal abstract Task<BillingStack> StartStackAsync(int replicas, TimeProvider? clock = null, IReadOnlyDictionary<string, string?>? settings = null);

    public virtual async Task InitializeAsync() => _shared = await StartStackAsync(2);

    public virtual async Task DisposeAsync()
    {
        if (_shared is not null)
        {
            await _shared.DisposeAsync();
        }
    }
}

public sealed class SqliteStackFixture : StackFixture
{
    internal override StateStoreKind Kind => StateStoreKind.Sqlite;

    internal override Task<BillingStack> StartStackAsync(int replicas, TimeProvider? clock = null, IReadOnlyDictionary<string, string?>? settings = null) =>
        BillingStack.StartAsync(StateStoreKind.Sqlite, null, replicas, clock, settings);
}

public sealed class PostgresStackFixture : StackFixture
{
    private PostgresServer? _server;

    internal override StateStoreKind Kind => StateStoreKind.PostgreSql;

    public override async Task InitializeAsync()
    {
        _server = await PostgresServer.StartAsync();
        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }

    internal override async Task<BillingStack> StartStackAsync(int replicas, TimeProvider? clock = null, IReadOnlyDictionary<string, string?>? settings = null) =>
        await BillingStack.StartAsync(StateStoreKind.PostgreSql, await _server!.CreateDatabaseAsync(), replicas, clock, settings);
}
