using Gateway.LocalSidecar.State;
using Microsoft.Data.Sqlite;

namespace Gateway.LocalSidecar.Tests.State;

public sealed class SqliteConnectionSettingsTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(20);

    [Theory]
    [InlineData("data/gateway.db", "data/gateway.db")]
    [InlineData("file:data.db", "data.db")]
    [InlineData("file:data.db?_txlock=immediate", "data.db")]
    [InlineData("/var/lib/x.db", "/var/lib/x.db")]
    [InlineData("file:/var/lib/x.db", "/var/lib/x.db")]
    [InlineData("file:///var/lib/a%20b.db", "/var/lib/a b.db")]
    [InlineData("FILE://localhost/var/lib/x.db", "/var/lib/x.db")]
    public void FromDapr_FilePath_ResolvesAgainstCurrentDirectory(string connectionString, string expectedPath)
    {
        var settings = SqliteConnectionSettings.FromDapr(connectionString, s_timeout);

        Assert.Equal(Path.GetFullPath(expectedPath), settings.FilePath);
        Assert.False(settings.IsInMemory);
        Assert.False(settings.IsReadOnly);
        Assert.Empty(settings.Pragmas);
        var builder = new SqliteConnectionStringBuilder(settings.ConnectionString);
        Assert.Equal(Path.GetFullPath(expectedPath), builder.DataSource);
        Assert.Equal(SqliteOpenMode.ReadWriteCreate, builder.Mode);
        Assert.Equal(20, builder.DefaultTimeout);
        Assert.True(builder.Pooling);
    }

    [Theory]
    [InlineData(":memory:")]
    [InlineData("file::memory:")]
    [InlineData("file::memory:?cache=shared")]
    [InlineData("file:named?mode=memory")]
    public void FromDapr_InMemory_OpensASharedMemoryDatabase(string connectionString)
    {
        var settings = SqliteConnectionSettings.FromDapr(connectionString, s_timeout);

        Assert.True(settings.IsInMemory);
        Assert.Null(settings.FilePath);
        var builder = new SqliteConnectionStringBuilder(settings.ConnectionString);
        Assert.Equal(SqliteOpenMode.Memory, builder.Mode);
        Assert.Equal(SqliteCacheMode.Shared, builder.Cache);
    }

    [Theory]
    [InlineData("file:x.db?mode=ro", SqliteOpenMode.ReadOnly, true)]
    [InlineData("file:x.db?immutable=1", SqliteOpenMode.ReadOnly, true)]
    [InlineData("file:x.db?mode=rw", SqliteOpenMode.ReadWrite, false)]
    [InlineData("file:x.db?mode=rwc", SqliteOpenMode.ReadWriteCreate, false)]
    public void FromDapr_Mode_MapsToOpenMode(string connectionString, SqliteOpenMode expectedMode, bool readOnly)
    {
        var settings = SqliteConnectionSettings.FromDapr(connectionString, s_timeout);

        Assert.Equal(expectedMode, new SqliteConnectionStringBuilder(settings.ConnectionString).Mode);
        Assert.Equal(readOnly, settings.IsReadOnly);
    }

    [Fact]
    public void FromDapr_Pragmas_AreKeptInOrder()
    {
        var settings = SqliteConnectionSettings.FromDapr("file:x.db?_pragma=cache_size(-4000)&_pragma=synchronous(NORMAL)&cache=private", s_timeout);

        Assert.Equal(["cache_size(-4000)", "synchronous(NORMAL)"], settings.Pragmas);
        Assert.Equal(SqliteCacheMode.Private, new SqliteConnectionStringBuilder(settings.ConnectionString).Cache);
    }

    [Fact]
    public void FromDapr_Timeout_RoundsUpToWholeSeconds()
    {
        var settings = SqliteConnectionSettings.FromDapr("x.db", TimeSpan.FromMilliseconds(1500));

        Assert.Equal(2, new SqliteConnectionStringBuilder(settings.ConnectionString).DefaultTimeout);
    }

    [Theory]
    [InlineData("file:x.db?_pragma=busy_timeout(2000)")]
    [InlineData("file:x.db?_pragma=journal_mode(WAL)")]
    [InlineData("file:x.db?_pragma=FOREIGN_KEYS(1)")]
    [InlineData("file:x.db?_pragma=cache_size(1);drop")]
    [InlineData("file:x.db?mode=bogus")]
    [InlineData("file://remote/x.db")]
    [InlineData("file:")]
    [InlineData("  ")]
    public void FromDapr_RejectedString_Throws(string connectionString)
    {
        Assert.ThrowsAny<ArgumentException>(() => SqliteConnectionSettings.FromDapr(connectionString, s_timeout));
    }
}
