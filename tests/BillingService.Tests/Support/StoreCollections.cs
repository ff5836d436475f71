namespace Gateway.BillingService.Tests.Support;

/// <summary>The scenario classes on SQLite share one fixture (one shared stack) and run one after another.</summary>
[CollectionDefinition(Name)]
public sealed class OnSqlite : ICollectionFixture<SqliteStackFixture>
{
    public const string Name = "billing on sqlite";
}

/// <summary>The same scenarios on PostgreSQL: one throwaway server for all of them.</summary>
[CollectionDefinition(Name)]
public sealed class OnPostgres : ICollectionFixture<PostgresStackFixture>
{
    public const string Name = "billing on postgresql";
}
