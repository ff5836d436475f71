namespace Gateway.ProxyService.Tests.Support;

/// <summary>One stack shared by the test classes of <see cref="SharedStackDefinition"/>; each test owns its accounts, runs and keys.</summary>
public sealed class StackFixture : IAsyncLifetime
{
    private ProxyStack? _stack;

    internal ProxyStack Stack => _stack ?? throw new InvalidOperationException("Not initialised.");

    public async Task InitializeAsync() => _stack = await ProxyStack.StartAsync();

    public async Task DisposeAsync()
    {
        if (_stack is not null)
        {
            await _stack.DisposeAsync();
        }
    }
}

[CollectionDefinition(Name)]
public sealed class SharedStackDefinition : ICollectionFixture<StackFixture>
{
    public const string Name = "Proxy stack";
}
