using Gateway.Testing;
using Npgsql;

namespace Gateway.LocalSidecar.Tests.State;

public sealed class PostgresServerTests
{
    [Fact]
    public async Task StartAsync_ThenDispose_ServesDatabasesAndRemovesItsFolder()
    {
        string root;
        await using (var server = await PostgresServer.StartAsync())
        {
            root = server.RootDirectory;
            var first = await server.CreateDatabaseAsync();
            var second = await server.CreateDatabaseAsync();

            Assert.NotEqual(new NpgsqlConnectionStringBuilder(first).Database, new NpgsqlConnectionStringBuilder(second).Database);
            Assert.Equal(await server.GetDatabaseAsync("Same Name"), await server.GetDatabaseAsync("Same Name"));
            await using var connection = new NpgsqlConnection(first);
            await connection.OpenAsync();
            await using var command = new NpgsqlCommand("SHOW server_version_num", connection);
            Assert.True(int.Parse((string)(await command.ExecuteScalarAsync())!, System.Globalization.CultureInfo.InvariantCulture) >= 150000);
        }

        Assert.False(Directory.Exists(root));
    }
}
