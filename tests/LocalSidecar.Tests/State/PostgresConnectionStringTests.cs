using Gateway.LocalSidecar.State;
using Npgsql;

namespace Gateway.LocalSidecar.Tests.State;

public sealed class PostgresConnectionStringTests
{
    [Fact]
    public void ToNpgsql_DaprDocsExample_MapsEveryKeyword()
    {
        var result = Parse("host=localhost user=postgres password=example port=5432 connect_timeout=10 database=dapr_test");

        Assert.Equal("localhost:5432", result.Host);
        Assert.Equal("postgres", result.Username);
        Assert.Equal("example", result.Password);
        Assert.Equal(10, result.Timeout);
        Assert.Equal("dapr_test", result.Database);
    }

    [Fact]
    public void ToNpgsql_QuotedAndEscapedValues_AreUnquoted()
    {
        var result = Parse(@"host = db dbname=state password='a b\'c' user=x\ y sslmode=verify-full application_name=gw");

        Assert.Equal("db", result.Host);
        Assert.Equal("state", result.Database);
        Assert.Equal("a b'c", result.Password);
        Assert.Equal("x y", result.Username);
        Assert.Equal(SslMode.VerifyFull, result.SslMode);
        Assert.Equal("gw", result.ApplicationName);
    }

    [Fact]
    public void ToNpgsql_Url_MapsUserPasswordHostAndDatabase()
    {
        var result = Parse("postgres://app:s%40cret@db.example:6543/state%20db?sslmode=require&search_path=gw");

        Assert.Equal("db.example:6543", result.Host);
        Assert.Equal("app", result.Username);
        Assert.Equal("s@cret", result.Password);
        Assert.Equal("state db", result.Database);
        Assert.Equal(SslMode.Require, result.SslMode);
        Assert.Equal("gw", result.SearchPath);
    }

    [Theory]
    [InlineData("host=a,b port=5432,5433", "a:5432,b:5433")]
    [InlineData("host=a,b port=6000", "a:6000,b:6000")]
    [InlineData("hostaddr=10.0.0.1", "10.0.0.1")]
    [InlineData("user=x", "localhost")]
    public void ToNpgsql_HostsAndPorts_AreCombined(string connectionString, string expectedHost)
    {
        Assert.Equal(expectedHost, Parse(connectionString).Host);
    }

    [Fact]
    public void ToNpgsql_UnknownKeywords_BecomeServerSettings()
    {
        var result = Parse("host=db statement_timeout=5000 pool_max_conns=7 pool_max_conn_idle_time=5m");

        Assert.Equal("-c statement_timeout=5000", result.Options);
        Assert.Equal(7, result.MaxPoolSize);
    }

    [Fact]
    public void ToNpgsql_NpgsqlForm_PassesThrough()
    {
        var result = Parse("Host=db;Port=5433;Username=app;Password=a b;Database=state");

        Assert.Equal(("db", 5433, "app", "a b", "state"), (result.Host, result.Port, result.Username, result.Password, result.Database));
    }

    [Theory]
    [InlineData("host")]
    [InlineData("host=x sslmode=bogus")]
    [InlineData("host=x password='unterminated")]
    [InlineData("host=a,b,c port=1,2")]
    public void ToNpgsql_UnreadableString_Throws(string connectionString)
    {
        Assert.ThrowsAny<ArgumentException>(() => PostgresConnectionString.ToNpgsql(connectionString));
    }

    private static NpgsqlConnectionStringBuilder Parse(string connectionString) => new(PostgresConnectionString.ToNpgsql(connectionString));
}
