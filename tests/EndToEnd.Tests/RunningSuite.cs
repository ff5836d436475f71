using Gateway.EndToEnd.Tests.Support;

namespace Gateway.EndToEnd.Tests;

/// <summary>
/// One suite for the tests that look at a running one; the collection runs alone so that a
/// 2-core machine gives its start the time it needs.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class RunningSuite : ICollectionFixture<Suite>
{
    public const string Name = "Suite";
}
