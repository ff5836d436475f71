using System.Net;
using System.Text.Json;
using Gateway.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Gateway.ServiceDefaults.Tests.Hosting;

/// <summary>
/// What a service built on AddServiceDefaults/MapDefaultEndpoints answers when the request itself
/// is broken below the handler (issue #18): the status Kestrel meant, as problem+json with our
/// stable type and code, never a 500. A real Kestrel app, driven over a bare socket.
/// </summary>
public sealed class FrameworkProblemTests : IAsyncLifetime
{
    private const string Secret = "secret-in-exception-message";
    private const long MaxBody = 64 * 1024;

    private WebApplication _app = null!;
    private int _port;

    public async Task InitializeAsync()
    {
        _port = FreePort.Next();
        var builder = WebApplication.CreateBuilder();
        builder.Logging.ClearProviders();
        builder.AddServiceDefaults();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(IPAddress.Loopback, _port);
            kestrel.Limits.MaxRequestBodySize = MaxBody;

            // Kestrel's default grace period is 5 s; the shortest it allows keeps the stalled-body case quick.
            kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(bytesPerSecond: 100, gracePeriod: TimeSpan.FromSeconds(1.1));
        });
        _app = builder.Build();
        _app.MapDefaultEndpoints();
        _app.MapPost("/echo", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            return Results.Ok(body.Length);
        });
        _app.MapGet("/broken", string () => throw new InvalidOperationException(Secret));
        await _app.StartAsync();
    }

    public static TheoryData<string, string, int, string> BrokenRequests => new()
    {
        { "malformed chunk size", "POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\nzz\r\nabc\r\n0\r\n\r\n", 400, "bad_request" },
        { "body past Content-Length limit", $"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: {MaxBody + 1}\r\nContent-Type: text/plain\r\n\r\n", 413, "payload_too_large" },
        { "unknown route", "GET /no/such/route HTTP/1.1\r\nHost: x\r\n\r\n", 404, "not_found" },
        { "wrong method", "DELETE /echo HTTP/1.1\r\nHost: x\r\n\r\n", 405, "method_not_allowed" },
        { "handler failure", "GET /broken HTTP/1.1\r\nHost: x\r\n\r\n", 500, "internal" },
    };

    [Theory]
    [MemberData(nameof(BrokenRequests))]
    public async Task BrokenRequest_IsAnsweredWithItsStatus_AsProblemJsonWithTypeAndCode(string scenario, string request, int status, string code)
    {
        await using var connection = await RawHttp.ConnectAsync(_port);
        await connection.SendAsync(request);

        var response = await connection.ReadResponseAsync(TimeSpan.FromSeconds(30));

        AssertProblem(response, status, code, scenario);
    }

    [Fact]
    public async Task StalledBody_Is408_NotA500()
    {
        await using var connection = await RawHttp.ConnectAsync(_port);
        await connection.SendAsync("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\nContent-Type: text/plain\r\n\r\nonly a few bytes");

        var response = await connection.ReadResponseAsync(TimeSpan.FromSeconds(30));

        AssertProblem(response, 408, "request_timeout", "stalled body");
    }

    [Fact]
    public async Task EndlessChunkedBody_Is413_OnceTheLimitIsPassed()
    {
        await using var connection = await RawHttp.ConnectAsync(_port);
        await connection.SendAsync("POST /echo HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: text/plain\r\n\r\n");
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var sending = connection.SendEndlessChunksAsync(limit: MaxBody * 64, stop.Token);

        var response = await connection.ReadResponseAsync(TimeSpan.FromSeconds(30));
        await stop.CancelAsync();
        await sending;

        AssertProblem(response, 413, "payload_too_large", "endless chunked body");
    }

    private static void AssertProblem(RawResponse response, int status, string code, string scenario)
    {
        Assert.True(status == response.Status, $"{scenario}: expected {status}, got {response.Status}: {response.Body}");
        Assert.StartsWith("application/problem+json", response.ContentType, StringComparison.Ordinal);
        using var problem = JsonDocument.Parse(response.Body);
        Assert.Equal(code, problem.RootElement.GetProperty("code").GetString());
        Assert.StartsWith("urn:gateway:problem:", problem.RootElement.GetProperty("type").GetString(), StringComparison.Ordinal);
        Assert.Equal(status, problem.RootElement.GetProperty("status").GetInt32());
        Assert.DoesNotContain(Secret, response.Body, StringComparison.Ordinal);
    }

    public async Task DisposeAsync() => await _app.DisposeAsync();
}
