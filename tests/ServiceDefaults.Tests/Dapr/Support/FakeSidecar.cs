using System.Collections.Concurrent;
using System.Net;
using Gateway.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.ServiceDefaults.Tests.Dapr.Support;

/// <summary>
/// A stand-in for the sidecar that answers every request with <c>respond</c> and records what it
/// received: for testing the client's own retry policy, where a real sidecar cannot be made to fail
/// on cue.
/// </summary>
public sealed class FakeSidecar : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<string> _requests = new();

    private FakeSidecar(WebApplication app, Uri endpoint)
    {
        _app = app;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    /// <summary>Each request as <c>METHOD /raw/path?query</c>, in arrival order.</summary>
    public IReadOnlyList<string> Requests => [.. _requests];

    /// <summary>Starts a fake whose handler gets the request and its 1-based number.</summary>
    public static async Task<FakeSidecar> StartAsync(Func<HttpContext, int, Task> respond)
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var fake = new FakeSidecar(app, new Uri($"http://127.0.0.1:{port}"));
        var count = 0;
        app.Run(context =>
        {
            var feature = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>();
            fake._requests.Enqueue($"{context.Request.Method} {feature?.RawTarget}");
            return respond(context, Interlocked.Increment(ref count));
        });
        await app.StartAsync();
        return fake;
    }

    /// <summary>A Dapr error answer with a Content-Length, as daprd sends it.</summary>
    public static Task DaprError(HttpContext context, int status, string errorCode, string message = "failed")
    {
        var body = System.Text.Json.JsonSerializer.Serialize(new { errorCode, message });
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = System.Text.Encoding.UTF8.GetByteCount(body);
        return context.Response.WriteAsync(body);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
