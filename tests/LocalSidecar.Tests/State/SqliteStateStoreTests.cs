using Gateway.LocalSidecar.State;
using Microsoft.Data.Sqlite;

namespace Gateway.LocalSidecar.Tests.State;

public sealed class SqliteStateStoreTests : StateStoreContractTests
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "gw-sqlite-" + Guid.NewGuid().ToString("N"));

    private string DatabasePath => Path.Combine(_directory, "data", "state.db");

    private protected override string UnusedETag => Guid.NewGuid().ToString();

    private protected override StoreResult DeleteFirstWriteWithoutETagOnExistingKeyResult => StoreResult.Ok;

    private protected override StoreResult DeleteWithETagOfExpiredItemResult => StoreResult.Ok;

    private protected override bool TransactionChecksAgainstStateBeforeIt => false;

    private protected override bool StoresShareData => true;

    private protected override IStateStore CreateStore(StoreSettings settings) =>
        new SqliteStateStore(new SqliteStateStoreOptions { ConnectionString = DatabasePath, DefaultTtl = settings.DefaultTtl, CleanupInterval = settings.CleanupInterval ?? TimeSpan.Zero }, Clock);

    private protected override async Task<int> CountStoredItemsAsync(IStateStore store) =>
        Convert.ToInt32(await QueryAsync("SELECT count(*) FROM state"), System.Globalization.CultureInfo.InvariantCulture);

    private protected override Task<int> CleanupExpiredAsync(IStateStore store) => ((SqliteStateStore)store).CleanupExpiredAsync(default);

    private protected override ValueTask DeleteStorageAsync()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }

        return ValueTask.CompletedTask;
    }

    [Fact]
    public async Task Init_MissingParentDirectory_CreatesItAndUsesWal()
    {
        Assert.True(File.Exists(DatabasePath));
        Assert.Equal("wal", await QueryAsync("PRAGMA journal_mode"));
    }

    [Fact]
    public async Task Init_WithDisableWal_UsesRollbackJournal()
    {
        var path = Path.Combine(_directory, "nowal.db");
        await using var store = new SqliteStateStore(new SqliteStateStoreOptions { ConnectionString = path, DisableWal = true }, Clock);
        await store.InitAsync(default);

        Assert.Equal("delete", await QueryAsync("PRAGMA journal_mode", path));
    }

    [Fact]
    public async Task Init_CreatesDaprTableLayout()
    {
        var columns = await QueryAsync("SELECT group_concat(name, ',') FROM (SELECT name FROM pragma_table_info('state') ORDER BY cid)");

        Assert.Equal("key,value,is_binary,etag,expiration_time,update_time", columns);
        Assert.Equal("1", await QueryAsync("SELECT value FROM metadata WHERE key = 'migrations'"));
    }

    [Fact]
    public async Task Init_Twice_KeepsData()
    {
        await SetAndGetAsync("k", "1");

        await CreateInitializedStoreAsync(new StoreSettings());

        await AssertValueAsync("k", "1");
    }

    [Fact]
    public async Task Set_CustomTableName_WritesThatTable()
    {
        await using var store = new SqliteStateStore(new SqliteStateStoreOptions { ConnectionString = DatabasePath, TableName = "custom_state", MetadataTableName = "custom_meta" }, Clock);
        await store.InitAsync(default);

        await store.SetAsync(Set("k", "1"), default);

        Assert.Equal("1", await QueryAsync("SELECT count(*) FROM custom_state WHERE key = 'k'"));
        Assert.Null(await Store.GetAsync("k", default));
    }

    [Fact]
    public async Task TwoStoresOnOneFile_SeeEachOthersWrites()
    {
        var other = await CreateInitializedStoreAsync(new StoreSettings());
        await SetAndGetAsync("k", "1");

        var seen = await other.GetAsync("k", default);
        Assert.Equal(StoreResult.Ok, await other.SetAsync(Set("k", "2", seen?.ETag), default));

        await AssertValueAsync("k", "2");
    }

    [Fact]
    public async Task Get_RowWrittenByDaprd_ReadsBinaryValueAndSecondPrecisionExpiry()
    {
        // daprd stores []byte values base64-encoded with is_binary set, and DATETIME() timestamps.
        await QueryAsync("INSERT INTO state (key, value, is_binary, etag, expiration_time) VALUES ('bin', 'aGVsbG8=', 1, 'e1', '2026-01-01 00:00:30')");

        var item = await GetAsync("bin");

        Assert.Equal("hello"u8.ToArray(), item.Value);
        Assert.Equal("e1", item.ETag);
        Assert.Equal(Start.AddSeconds(30), item.ExpiresAt);
    }

    [Fact]
    public async Task InMemoryDatabase_SupportsEveryOperation()
    {
        await using var store = new SqliteStateStore(new SqliteStateStoreOptions { ConnectionString = ":memory:", TableName = "mem_" + Guid.NewGuid().ToString("N") }, Clock);
        await store.InitAsync(default);

        Assert.Equal(StoreResult.Ok, await store.SetAsync(Set("k", "1"), default));
        var item = await store.GetAsync("k", default);
        Assert.NotNull(item);
        Assert.Equal(StoreResult.ETagMismatch, await store.TransactAsync([Set("k", "2", item.ETag), Set("k", "3", item.ETag)], default));
        Assert.Equal(StoreResult.Ok, await store.TransactAsync([Set("k", "2", item.ETag), Delete("k")], default));
        Assert.Null(await store.GetAsync("k", default));
    }

    [Theory]
    [InlineData("state;drop")]
    [InlineData("")]
    [InlineData("a-b")]
    public void Constructor_InvalidTableName_Throws(string tableName)
    {
        Assert.Throws<ArgumentException>(() => new SqliteStateStore(new SqliteStateStoreOptions { ConnectionString = DatabasePath, TableName = tableName }, Clock));
    }

    [Fact]
    public void Constructor_TimeoutBelowOneSecond_Throws()
    {
        Assert.Throws<ArgumentException>(() => new SqliteStateStore(new SqliteStateStoreOptions { ConnectionString = DatabasePath, Timeout = TimeSpan.FromMilliseconds(500) }, Clock));
    }

    [Fact]
    public void Options_Default_AreDaprs()
    {
        var options = new SqliteStateStoreOptions { ConnectionString = "x.db" };

        Assert.Equal(("state", "metadata"), (options.TableName, options.MetadataTableName));
        Assert.Equal((TimeSpan.FromSeconds(20), TimeSpan.FromSeconds(2)), (options.Timeout, options.BusyTimeout));
        Assert.Equal(TimeSpan.Zero, options.CleanupInterval);
        Assert.False(options.DisableWal);
        Assert.Null(options.DefaultTtl);
    }

    private async Task<string?> QueryAsync(string sql, string? path = null)
    {
        await using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path ?? DatabasePath, Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToString(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }
}
