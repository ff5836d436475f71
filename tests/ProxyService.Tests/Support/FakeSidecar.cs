using System.Collections.Concurrent;
using System.Net;
using Gateway.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Gateway.ProxyService.Tests.Support;

/// <summary>What <see cref="FakeSidecar"/> received: <c>METHOD /raw/target</c>, the body and the W3C trace context.</summary>
internal sealed record SidecarRequest(string Line, string Body, string? TraceParent);

/// <summary>
/// A stand-in for daprd's HTTP API that answers every request with <c>respond</c> and records what
/// it received: for the proxy's own timeouts and retries, where a real sidecar cannot be made to
/// fail on cue.
/// </summary>
internal sealed class FakeSidecar : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<SidecarRequest> _requests = new();

    private FakeSidecar(WebApplication app, Uri endpoint)
    {
        _app = app;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    /// <summary>The requests in arrival order.</summary>
    public IReadOnlyList<SidecarRequest> Requests => [.. _requests];

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
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync(context.RequestAborted);
            var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
            fake._requests.Enqueue(new SidecarRequest($"{context.Request.Method} {target}", body, context.Request.Headers.TraceParent.FirstOrDefault()));
            await respond(context, Interlocked.Increment(ref count));
        });
        await app.StartAsync();
        return fake;
    }

    /// <summary>daprd's answer when it cannot reach the callee.</summary>
    public static Task CannotReachCallee(HttpContext context) =>
        Results.Json(new { errorCode = "ERR_DIRECT_INVOKE", message = "failed to invoke, id: callee, err: connection refused" }, statusCode: 500).ExecuteAsync(context);

    /// <summary>No answer until the caller gives up.</summary>
    public static Task Hang(HttpContext context) => Task.Delay(Timeout.Infinite, context.RequestAborted);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
