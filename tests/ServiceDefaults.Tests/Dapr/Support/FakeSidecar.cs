using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Google.Rpc;
using Grpc.Core;
using Gateway.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.ServiceDefaults.Tests.Dapr.Support;

/// <summary>
/// A stand-in for the sidecar that answers every request with <c>respond</c> and records what it
/// received: for testing the clients' own retry policy and wire format, where a real sidecar cannot
/// be made to fail on cue. Over HTTP/1.1 for the HTTP API, or h2c (prior knowledge) for the gRPC API.
/// </summary>
public sealed class FakeSidecar : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<string> _requests = new();
    private readonly ConcurrentQueue<byte[]> _bodies = new();

    private FakeSidecar(WebApplication app, Uri endpoint)
    {
        _app = app;
        Endpoint = endpoint;
    }

    public Uri Endpoint { get; }

    /// <summary>Each request as <c>METHOD /raw/path?query</c>, in arrival order.</summary>
    public IReadOnlyList<string> Requests => [.. _requests];

    /// <summary>Each request's body, in arrival order (recorded only by a gRPC fake).</summary>
    public IReadOnlyList<byte[]> Bodies => [.. _bodies];

    /// <summary>Starts an HTTP/1.1 fake whose handler gets the request and its 1-based number.</summary>
    public static Task<FakeSidecar> StartAsync(Func<HttpContext, int, Task> respond) => StartAsync(respond, grpc: false);

    /// <summary>Starts an h2c fake of the gRPC API whose handler gets the request (its body already recorded) and its 1-based number.</summary>
    public static Task<FakeSidecar> StartGrpcAsync(Func<HttpContext, int, Task> respond) => StartAsync(respond, grpc: true);

    private static async Task<FakeSidecar> StartAsync(Func<HttpContext, int, Task> respond, bool grpc)
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port, o => o.Protocols = grpc ? HttpProtocols.Http2 : HttpProtocols.Http1));
        var app = builder.Build();
        var fake = new FakeSidecar(app, new Uri($"http://127.0.0.1:{port}"));
        var count = 0;
        app.Run(async context =>
        {
            var feature = context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpRequestFeature>();
            fake._requests.Enqueue($"{context.Request.Method} {feature?.RawTarget}");
            if (grpc)
            {
                using var body = new MemoryStream();
                await context.Request.Body.CopyToAsync(body, context.RequestAborted);
                fake._bodies.Enqueue(body.ToArray());
            }

            await respond(context, Interlocked.Increment(ref count));
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

    /// <summary>A gRPC error answer as daprd sends it: the status, and an <c>ErrorInfo</c> with <paramref name="reason"/> in <c>grpc-status-details-bin</c>.</summary>
    public static Task GrpcError(HttpContext context, StatusCode status, string? reason, string message = "failed")
    {
        context.Response.ContentType = "application/grpc";
        context.Response.AppendTrailer("grpc-status", ((int)status).ToString(CultureInfo.InvariantCulture));
        context.Response.AppendTrailer("grpc-message", Uri.EscapeDataString(message));
        if (reason is not null)
        {
            var details = new Google.Rpc.Status { Code = (int)status, Message = message, Details = { Any.Pack(new ErrorInfo { Reason = reason, Domain = "dapr.io" }) } };
            context.Response.AppendTrailer("grpc-status-details-bin", Convert.ToBase64String(details.ToByteArray()).TrimEnd('='));
        }

        return context.Response.StartAsync();
    }

    /// <summary>A successful gRPC answer carrying <paramref name="message"/>.</summary>
    public static async Task GrpcAnswer(HttpContext context, IMessage message)
    {
        context.Response.ContentType = "application/grpc";
        var payload = message.ToByteArray();
        var frame = new byte[5 + payload.Length];
        BinaryPrimitives.WriteUInt32BigEndian(frame.AsSpan(1), (uint)payload.Length);
        payload.CopyTo(frame, 5);
        await context.Response.Body.WriteAsync(frame);
        context.Response.AppendTrailer("grpc-status", "0");
    }

    /// <summary>The message of a recorded gRPC request body (one uncompressed frame).</summary>
    public static T ReadGrpcRequest<T>(byte[] body, MessageParser<T> parser)
        where T : IMessage<T> =>
        parser.ParseFrom(body.AsSpan(5, (int)BinaryPrimitives.ReadUInt32BigEndian(body.AsSpan(1))));

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
