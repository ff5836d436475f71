using System.Collections.Concurrent;
using System.Net;
using Gateway.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.PoolService.Tests.Support;

/// <summary>
/// A stand-in upstream for health probes: <c>GET /health</c> answers 200, or what the test sets
/// (<see cref="Status"/>, <see cref="Delay"/>), and records each probe's Authorization header.
/// </summary>
internal sealed class FakeBackend : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeBackend(WebApplication app, int port)
    {
        _app = app;
        BaseUrl = $"http://127.0.0.1:{port}/v1";
    }

    public string BaseUrl { get; }

    public HttpStatusCode Status { get; set; } = HttpStatusCode.OK;

    public TimeSpan Delay { get; set; }

    public ConcurrentQueue<string> Authorizations { get; } = new();

    public int Probes => Authorizations.Count;

    public static async Task<FakeBackend> StartAsync()
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var backend = new FakeBackend(app, port);
        app.MapGet("/v1/health", async (HttpContext context) =>
        {
            backend.Authorizations.Enqueue(context.Request.Headers.Authorization.ToString());
            if (backend.Delay > TimeSpan.Zero)
            {
                await Task.Delay(backend.Delay, context.RequestAborted);
            }

            context.Response.StatusCode = (int)backend.Status;
        });
        await app.StartAsync();
        return backend;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
