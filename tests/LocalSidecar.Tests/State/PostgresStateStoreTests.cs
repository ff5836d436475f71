using System.Globalization;
using Gateway.LocalSidecar.State;
using Gateway.Testing;
using Npgsql;

namespace Gateway.LocalSidecar.Tests.State;

[Collection(PostgresServerGroup.Name)]
public sealed class PostgresStateStoreTests(PostgresServer server) : StateStoreContractTests
{
    // One database for the class; each test gets its own tables in it.
    private readonly string _table = "state_" + Guid.NewGuid().ToString("N")[..16];
    private string _connectionString = string.Empty;

    // xmin 1 is the bootstrap transaction id: no row written later carries it (Dapr's conformance suite uses it too).
    private protected override string UnusedETag => "1";

    private protected override string MalformedETag => "bad-etag";

    private protected override StoreResult MalformedETagResult => StoreResult.ETagInvalid;

    private protected override bool FirstWriteConflictThrows => true;

    private protected override StoreResult DeleteFirstWriteWithoutETagOnExistingKeyResult => StoreResult.Ok;

    private protected override StoreResult DeleteWithETagOfExpiredItemResult => StoreResult.Ok;

    private protected override bool TransactionChecksAgainstStateBeforeIt => false;

    private protected override bool StoresShareData => true;

    private protected override async Task PrepareStorageAsync() =>
        _connectionString = await server.GetDatabaseAsync(nameof(PostgresStateStoreTests));

    private protected override IStateStore CreateStore(StoreSettings settings) => new PostgresStateStore(Options(settings), Clock);

    private protected override async Task<int> CountStoredItemsAsync(IStateStore store) =>
        Convert.ToInt32(await QueryAsync($"SELECT count(*) FROM {_table}"), CultureInfo.InvariantCulture);

    private protected override Task<int> CleanupExpiredAsync(IStateStore store) => ((PostgresStateStore)store).CleanupExpiredAsync(default);

    [Fact]
    public async Task Get_ETag_IsTheRowXmin()
    {
        var item = await SetAndGetAsync("k", "1");

        Assert.Equal(await QueryAsync($"SELECT xmin::text FROM {_table} WHERE key = 'k'"), item.ETag);
    }

    [Theory]
    [InlineData("4294967296")]
    [InlineData("-1")]
    [InlineData("+5")]
    [InlineData(" 5")]
    [InlineData("0x10")]
    public async Task Set_ETagThatIsNotAnUnsigned32BitNumber_ReturnsInvalid(string etag)
    {
        await SetAndGetAsync("k", "1");

        Assert.Equal(StoreResult.ETagInvalid, await SetAsync("k", "2", etag));
        Assert.Equal(StoreResult.ETagInvalid, await DeleteAsync("k", etag));
    }

    [Fact]
    public async Task Init_CreatesDaprTableLayout()
    {
        var columns = await QueryAsync($"SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_name = '{_table}'");

        Assert.Equal("key,value,isbinary,insertdate,updatedate,expiredate,row_id", columns);
        Assert.Equal("3", await QueryAsync($"SELECT value FROM {_table}_meta WHERE key = 'migrations'"));
    }

    [Fact]
    public async Task Init_ManyStoresAtOnceOnANewTable_AllSucceed()
    {
        var table = "race_" + Guid.NewGuid().ToString("N")[..16];
        var stores = Enumerable.Range(0, 5)
            .Select(_ => new PostgresStateStore(Options(new StoreSettings()) with { TableName = table }, Clock))
            .ToArray();
        try
        {
            await Task.WhenAll(stores.Select(s => Task.Run(() => s.InitAsync(default))));

            Assert.Equal(StoreResult.Ok, await stores[0].SetAsync(Set("k", "1"), default));
            Assert.NotNull(await stores[4].GetAsync("k", default));
        }
        finally
        {
            foreach (var store in stores)
            {
                await store.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task Set_SchemaQualifiedTableName_WritesThatTable()
    {
        await using var store = new PostgresStateStore(Options(new StoreSettings()) with { TableName = $"public.{_table}_q" }, Clock);
        await store.InitAsync(default);

        Assert.Equal(StoreResult.Ok, await store.SetAsync(Set("k", "1"), default));

        Assert.Equal("1", await QueryAsync($"SELECT count(*) FROM public.{_table}_q"));
    }

    [Fact]
    public async Task Get_RowWrittenByDaprdWithBinaryValue_DecodesIt()
    {
        // daprd stores []byte values as a JSON string of base64 with isbinary set.
        await QueryAsync($"INSERT INTO {_table} (key, value, isbinary) VALUES ('bin', '\"aGVsbG8=\"', true)");

        Assert.Equal("hello"u8.ToArray(), (await GetAsync("bin")).Value);
    }

    [Fact]
    public async Task Set_LibpqConnectionString_IsTranslated()
    {
        var npgsql = new NpgsqlConnectionStringBuilder(_connectionString);
        var libpq = $"host={npgsql.Host} port={npgsql.Port} user={npgsql.Username} database={npgsql.Database} connect_timeout=10";
        await using var store = new PostgresStateStore(Options(new StoreSettings()) with { ConnectionString = libpq }, Clock);
        await store.InitAsync(default);

        Assert.Equal(StoreResult.Ok, await store.SetAsync(Set("k", "1"), default));

        await AssertValueAsync("k", "1");
    }

    [Theory]
    [InlineData("state; drop table x")]
    [InlineData("a.b.c")]
    [InlineData("")]
    public void Constructor_InvalidTableName_Throws(string tableName)
    {
        Assert.Throws<ArgumentException>(() => new PostgresStateStore(Options(new StoreSettings()) with { TableName = tableName }, Clock));
    }

    [Fact]
    public void Options_Default_AreDaprs()
    {
        var options = new PostgresStateStoreOptions { ConnectionString = "host=x" };

        Assert.Equal(("state", "dapr_metadata"), (options.TableName, options.MetadataTableName));
        Assert.Equal(TimeSpan.FromSeconds(20), options.Timeout);
        Assert.Equal(TimeSpan.FromHours(1), options.CleanupInterval);
        Assert.Null(options.DefaultTtl);
    }

    private PostgresStateStoreOptions Options(StoreSettings settings) => new()
    {
        ConnectionString = _connectionString,
        TableName = _table,
        MetadataTableName = _table + "_meta",
        DefaultTtl = settings.DefaultTtl,
        CleanupInterval = settings.CleanupInterval ?? TimeSpan.Zero,
    };

    private async Task<string?> QueryAsync(string sql)
    {
        await using var connection = new NpgsqlConnection(_connectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return Convert.ToString(await command.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    }
}
