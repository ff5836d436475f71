using Gateway.Testing;

namespace Gateway.LocalSidecar.Tests.State;

/// <summary>One throwaway PostgreSQL server for every test class that needs one.</summary>
[CollectionDefinition(Name)]
public sealed class PostgresServerGroup : ICollectionFixture<PostgresServer>
{
    public const string Name = "PostgreSQL";
}
