using Gateway.Testing;

namespace Gateway.ProxyService.Tests.Support;

/// <summary>
/// Starts a <see cref="ProxyStack"/> on one kind of store. As a collection fixture its stack is
/// shared by the classes of the collection, as a class fixture it is that class's own; either way
/// each test owns its accounts, runs and keys.
/// </summary>
public abstract class ProxyStackFixture : IAsyncLifetime
{
    private ProxyStack? _stack;

    internal ProxyStack Stack => _stack ?? throw new InvalidOperationException("Not initialised.");

    /// <summary>A fresh stack on a fresh store (file or database).</summary>
    internal abstract Task<ProxyStack> StartStackAsync();

    public async Task InitializeAsync() => _stack = await StartStackAsync();

    public async Task DisposeAsync()
    {
        if (_stack is not null)
        {
            await _stack.DisposeAsync();
        }
    }
}

/// <summary>A stack on a SQLite file in its own folder.</summary>
public sealed class StackFixture : ProxyStackFixture
{
    internal override Task<ProxyStack> StartStackAsync() => ProxyStack.StartAsync();
}

/// <summary>A stack on a fresh database of the PostgreSQL server that <see cref="OnPostgres"/> shares.</summary>
public sealed class PostgresStackFixture(PostgresServer server) : ProxyStackFixture
{
    internal override async Task<ProxyStack> StartStackAsync() =>
        await ProxyStack.StartAsync(StateStoreKind.PostgreSql, await server.CreateDatabaseAsync());
}

/// <summary>One SQLite stack shared by the scenario classes that leave billing and the proxy running.</summary>
[CollectionDefinition(Name)]
public sealed class SharedStackDefinition : ICollectionFixture<StackFixture>
{
    public const string Name = "Proxy stack";
}

/// <summary>
/// The scenarios that run on PostgreSQL as well: one throwaway server (starting a cluster costs
/// seconds) and, through <see cref="PostgresStackFixture"/> as a class fixture, a stack per class.
/// </summary>
[CollectionDefinition(Name)]
public sealed class OnPostgres : ICollectionFixture<PostgresServer>
{
    public const string Name = "Proxy stacks on postgresql";
}
