using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.Testing;

/// <summary>
/// A small app for a sidecar to call: <c>/echo/...</c> answers with what it received (method,
/// path, query, headers, body) as JSON; <c>/status/{code}</c> answers that status with a body and
/// a custom header; <c>/stream</c> writes chunks with pauses.
/// </summary>
public sealed class EchoApp : IAsyncDisposable
{
    private readonly WebApplication _app;

    private EchoApp(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    public static async Task<EchoApp> StartAsync(int? port = null)
    {
        var chosen = port ?? FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, chosen));
        var app = builder.Build();
        app.Map("/echo/{**rest}", Echo);
        app.Map("/status/{code:int}", (HttpContext context, int code) =>
        {
            context.Response.Headers["x-echo-status"] = code.ToString(System.Globalization.CultureInfo.InvariantCulture);
            context.Response.StatusCode = code;
            return context.Response.WriteAsync($"status {code}");
        });
        app.MapGet("/stream", async context =>
        {
            context.Response.ContentType = "text/plain";
            for (var i = 0; i < 3; i++)
            {
                await context.Response.WriteAsync($"chunk{i}\n").ConfigureAwait(false);
                await context.Response.Body.FlushAsync().ConfigureAwait(false);
                await Task.Delay(100).ConfigureAwait(false);
            }
        });
        await app.StartAsync().ConfigureAwait(false);
        return new EchoApp(app, chosen);
    }

    private static async Task Echo(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync().ConfigureAwait(false);
        var headers = new JsonObject();
        foreach (var (name, value) in context.Request.Headers)
        {
            headers[name.ToLowerInvariant()] = value.ToString();
        }

        var answer = new JsonObject
        {
            ["method"] = context.Request.Method,
            ["path"] = context.Request.Path.Value,
            ["query"] = context.Request.QueryString.Value,
            ["headers"] = headers,
            ["body"] = body,
        };
        context.Response.Headers["x-echo"] = "yes";
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(answer.ToJsonString()).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
