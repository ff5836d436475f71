using Microsoft.Data.Sqlite;
var builder = WebApplication.CreateBuilder(args);
var app = builder.Build();
using var c = new SqliteConnection("Data Source=:memory:");
c.Open();
using var cmd = c.CreateCommand(); cmd.CommandText = "select sqlite_version()";
Console.WriteLine(cmd.ExecuteScalar());
Console.WriteLine(Yarp.ReverseProxy.Forwarder.ForwarderError.None.ToString());
