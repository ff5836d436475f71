using System.Net;
using Gateway.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.ServiceDefaults.Tests.Dapr.Support;

/// <summary>What <see cref="CalleeApp"/>'s echo endpoints saw.</summary>
public sealed record EchoReply(string Method, string Path, string Query, string? CallerAppId, bool HadApiToken, bool HadAppIdHeader, Account? Body);

/// <summary>
/// The app a sidecar invokes: JSON echo (<c>/echo/{**rest}</c>), a stream the test releases chunk
/// by chunk (<c>/stream</c>), a 500 with a body (<c>/fail</c>) and an empty 204 (<c>/empty</c>).
/// </summary>
public sealed class CalleeApp : IAsyncDisposable
{
    private readonly WebApplication _app;

    private CalleeApp(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    /// <summary>Completed by the test to let <c>/stream</c> write its last chunk.</summary>
    public TaskCompletionSource StreamRelease { get; private set; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public static async Task<CalleeApp> StartAsync()
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var callee = new CalleeApp(app, port);
        app.Map("/echo/{**rest}", async (HttpContext context) =>
        {
            Account? body = context.Request.ContentLength > 0 || context.Request.Headers.TransferEncoding.Count > 0
                ? await context.Request.ReadFromJsonAsync<Account>()
                : null;
            var request = context.Request;
            return Results.Json(new EchoReply(
                request.Method,
                request.Path.Value ?? "",
                request.QueryString.Value ?? "",
                request.Headers["dapr-caller-app-id"].ToString(),
                request.Headers.ContainsKey("dapr-api-token"),
                request.Headers.ContainsKey("dapr-app-id"),
                body));
        });
        app.MapGet("/stream", async (HttpContext context) =>
        {
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync("first\n");
            await context.Response.Body.FlushAsync();
            await callee.StreamRelease.Task.WaitAsync(TimeSpan.FromSeconds(30));
            await context.Response.WriteAsync("last\n");
        });
        app.Map("/fail", (HttpContext context) =>
        {
            context.Response.Headers["x-callee"] = "failed";
            return Results.Json(new { title = "callee failed", secret = "not-for-logs" }, statusCode: 500);
        });
        app.Map("/empty", () => Results.NoContent());
        await app.StartAsync();
        return callee;
    }

    public async ValueTask DisposeAsync()
    {
        StreamRelease.TrySetResult();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
