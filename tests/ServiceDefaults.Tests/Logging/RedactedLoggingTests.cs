using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Gateway.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace Gateway.ServiceDefaults.Tests.Logging;

/// <summary>
/// What a service built on AddServiceDefaults logs and traces of a request whose query carries
/// secrets (issue #18): every record of every category, message and structured state, at Trace,
/// with the framework's URL-bearing categories asked for at Trace by configuration too, and every
/// tag of every span. A real Kestrel app.
/// </summary>
public sealed class RedactedLoggingTests : IAsyncLifetime
{
    private const string Token = "tok-9f2c41e0";
    private const string ApiKey = "key-a7e05d11";
    private const string Ident = "ident-60b3c2aa";
    private const string Query = $"token={Token}&api_key={ApiKey}&ident={Ident}&safe=1";

    private static readonly string[] Secrets = [Token, ApiKey, Ident];

    private readonly ConcurrentQueue<string> _spanTags = new();
    private readonly ActivityListener _spans;
    private WebApplication _app = null!;
    private int _port;

    public RedactedLoggingTests()
    {
        _spans = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Microsoft.AspNetCore" or "System.Net.Http",
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activity => _spanTags.Enqueue($"{activity.Source.Name} {activity.DisplayName}: {string.Join(", ", activity.TagObjects.Select(t => t.Key + "=" + t.Value))}"),
        };
        ActivitySource.AddActivityListener(_spans);
    }

    private FakeLogCollector Logs => _app.Services.GetFakeLogCollector();

    public async Task InitializeAsync()
    {
        _port = FreePort.Next();
        var builder = WebApplication.CreateBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Logging:LogLevel:Default"] = "Trace",
            ["Logging:LogLevel:Microsoft.AspNetCore.Hosting.Diagnostics"] = "Trace",
            ["Logging:LogLevel:Microsoft.AspNetCore.Server.Kestrel.BadRequests"] = "Trace",
            ["Redaction:QueryParameters:0"] = "ident",
        });
        builder.Logging.ClearProviders();
        builder.AddServiceDefaults();
        builder.Logging.AddFakeLogging();
        builder.Services.AddHttpClient("outgoing");
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, _port));
        _app = builder.Build();
        _app.MapDefaultEndpoints();
        _app.MapGet("/echo", () => "echo");

        // A call out with the same query, through an HttpClientFactory client: its logs too.
        _app.MapGet("/call", async (IHttpClientFactory clients) =>
            await clients.CreateClient("outgoing").GetStringAsync(new Uri($"http://127.0.0.1:{_port}/echo?{Query}")));
        await _app.StartAsync();
    }

    [Fact]
    public async Task Request_WithSecretsInItsQuery_IsLoggedWithThemRedacted()
    {
        using var client = new HttpClient(new SocketsHttpHandler { UseProxy = false }) { BaseAddress = new Uri($"http://127.0.0.1:{_port}") };

        using var response = await client.GetAsync(new Uri("/call?" + Query, UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        await LoggedAsync(r => r.Message.Contains("/call?", StringComparison.Ordinal) && r.Message.Contains("safe=1", StringComparison.Ordinal) && r.Message.Contains(" 200 ", StringComparison.Ordinal));
        Assert.Contains(Logs.GetSnapshot(), r => r.Category?.StartsWith("System.Net.Http.HttpClient.outgoing", StringComparison.Ordinal) == true);
        AssertNoSecretLogged();
        Assert.Contains(_spanTags, t => t.StartsWith("System.Net.Http", StringComparison.Ordinal) && t.Contains("/echo", StringComparison.Ordinal));
        Assert.All(_spanTags, t => Assert.DoesNotContain(Secrets, secret => t.Contains(secret, StringComparison.Ordinal)));
    }

    [Fact]
    public async Task MalformedRequestLine_WithASecret_IsNotLogged()
    {
        await using var connection = await RawHttp.ConnectAsync(_port);
        await connection.SendAsync($"GET /echo?token={Token} EXTRA HTTP/1.1\r\nHost: x\r\n\r\n");

        var response = await connection.ReadResponseAsync(TimeSpan.FromSeconds(30));

        // Kestrel logs a bad request before it answers it: whatever it logged is in already.
        Assert.Equal(400, response.Status);
        AssertNoSecretLogged();
    }

    private async Task LoggedAsync(Func<FakeLogRecord, bool> predicate)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (!Logs.GetSnapshot().Any(predicate))
        {
            Assert.True(DateTime.UtcNow < deadline, "The expected log record did not come:\n" + Dump());
            await Task.Delay(20);
        }
    }

    private void AssertNoSecretLogged()
    {
        foreach (var record in Logs.GetSnapshot())
        {
            var text = string.Join('\n', [record.Message, record.Exception?.ToString(), .. (record.StructuredState ?? []).Select(s => s.Key + "=" + s.Value)]);
            foreach (var secret in Secrets)
            {
                Assert.False(text.Contains(secret, StringComparison.Ordinal), $"'{secret}' logged by {record.Category}[{record.Id}]: {text}");
            }
        }
    }

    private string Dump() => string.Join('\n', Logs.GetSnapshot().Select(r => $"{r.Category}: {r.Message}"));

    public async Task DisposeAsync()
    {
        _spans.Dispose();
        await _app.DisposeAsync();
    }
}
