using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Gateway.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.LocalSidecar.Tests.Actors;

/// <summary>
/// An app that speaks the app side of Dapr's actor protocol by hand (DAPR-HTTP.md section 5),
/// recording every call the sidecar makes, so the sidecar is tested on its own.
/// Methods: <c>echo</c> (answers the body), <c>slow</c> (150 ms, tracks overlap), <c>fail</c> (500),
/// <c>nocontent</c> (204), <c>increment</c> (counter in actor state through the sidecar),
/// <c>call</c> (calls the actor named in the body through the sidecar, passing the reentrancy id).
/// </summary>
public sealed class FakeActorApp : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, int> _running = new();
    private int _runningTotal;

    private FakeActorApp(WebApplication app, int port)
    {
        _app = app;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The sidecar's HTTP port, for methods that call back into it.</summary>
    public int SidecarPort { get; set; }

    public ConcurrentQueue<RecordedCall> Calls { get; } = new();

    public int MaxOverlapPerActor { get; private set; }

    public int MaxOverlapTotal { get; private set; }

    public static async Task<FakeActorApp> StartAsync(string config)
    {
        var port = FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        var app = builder.Build();
        var fake = new FakeActorApp(app, port);
        app.MapGet("/dapr/config", () => Results.Text(config, "application/json"));
        app.MapPut("/actors/{type}/{id}/method/remind/{name}", (HttpContext c, string type, string id, string name) => fake.RecordAsync(c, type, id, "remind/" + name, () =>
        {
            if (name.StartsWith("cancel", StringComparison.Ordinal))
            {
                c.Response.Headers["X-DaprReminderCancel"] = "true";
            }

            return Task.FromResult(200);
        }));
        app.MapPut("/actors/{type}/{id}/method/timer/{name}", (HttpContext c, string type, string id, string name) => fake.RecordAsync(c, type, id, "timer/" + name, () => Task.FromResult(200)));
        app.MapPut("/actors/{type}/{id}/method/{method}", (HttpContext c, string type, string id, string method) => fake.RecordAsync(c, type, id, method, () => fake.RunAsync(c, type, id, method)));
        app.MapDelete("/actors/{type}/{id}", (HttpContext c, string type, string id) => fake.RecordAsync(c, type, id, "deactivate", () => Task.FromResult(200)));
        await app.StartAsync();
        return fake;
    }

    public IReadOnlyList<RecordedCall> CallsTo(string method, string? id = null) =>
        [.. Calls.Where(c => c.Method == method && (id is null || c.Id == id))];

    private async Task RecordAsync(HttpContext context, string type, string id, string method, Func<Task<int>> handle)
    {
        using var reader = new StreamReader(context.Request.Body);
        var body = await reader.ReadToEndAsync();
        context.Items["body"] = body;
        var started = DateTimeOffset.UtcNow;
        var status = await handle();
        Calls.Enqueue(new RecordedCall(type, id, method, body, context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString()), started, DateTimeOffset.UtcNow));
        context.Response.StatusCode = status;
        if (status == 200 && !context.Response.HasStarted && context.Items["answer"] is string answer)
        {
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(answer);
        }
    }

    private async Task<int> RunAsync(HttpContext context, string type, string id, string method)
    {
        var body = (string)context.Items["body"]!;
        switch (method)
        {
            case "echo":
                context.Response.Headers["x-actor"] = $"{type}/{id}";
                context.Items["answer"] = body;
                return 200;
            case "slow":
                var overlap = _running.AddOrUpdate(id, 1, (_, n) => n + 1);
                var total = Interlocked.Increment(ref _runningTotal);
                lock (_running)
                {
                    MaxOverlapPerActor = Math.Max(MaxOverlapPerActor, overlap);
                    MaxOverlapTotal = Math.Max(MaxOverlapTotal, total);
                }

                await Task.Delay(150);
                _running.AddOrUpdate(id, 0, (_, n) => n - 1);
                Interlocked.Decrement(ref _runningTotal);
                context.Items["answer"] = body;
                return 200;
            case "fail":
                await context.Response.WriteAsync("boom");
                return 500;
            case "nocontent":
                return 204;
            case "increment":
                using (var client = SidecarClient())
                {
                    using var current = await client.GetAsync($"/v1.0/actors/{type}/{id}/state/count");
                    var count = current.StatusCode == HttpStatusCode.OK ? int.Parse(await current.Content.ReadAsStringAsync(), System.Globalization.CultureInfo.InvariantCulture) : 0;
                    var operations = new JsonArray(new JsonObject { ["operation"] = "upsert", ["request"] = new JsonObject { ["key"] = "count", ["value"] = count + 1 } });
                    using var saved = await client.PostAsync($"/v1.0/actors/{type}/{id}/state", new StringContent(operations.ToJsonString(), Encoding.UTF8, "application/json"));
                    if (saved.StatusCode != HttpStatusCode.NoContent)
                    {
                        return 500;
                    }

                    context.Items["answer"] = (count + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);
                    return 200;
                }

            case "call":
                var target = JsonNode.Parse(body)!;
                using (var client = SidecarClient())
                {
                    using var request = new HttpRequestMessage(HttpMethod.Put, $"/v1.0/actors/{target["type"]}/{target["id"]}/method/{target["method"]}")
                    {
                        Content = new StringContent(target["body"]?.ToJsonString() ?? "{}", Encoding.UTF8, "application/json"),
                    };
                    if (context.Request.Headers.TryGetValue("Dapr-Reentrancy-Id", out var chain))
                    {
                        request.Headers.Add("Dapr-Reentrancy-Id", chain.ToString());
                    }

                    using var response = await client.SendAsync(request);
                    context.Items["answer"] = new JsonObject { ["status"] = (int)response.StatusCode, ["body"] = await response.Content.ReadAsStringAsync() }.ToJsonString();
                    return 200;
                }

            default:
                return 404;
        }
    }

    private HttpClient SidecarClient() => new() { BaseAddress = new Uri($"http://127.0.0.1:{SidecarPort}"), Timeout = TimeSpan.FromSeconds(30) };

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public sealed record RecordedCall(string Type, string Id, string Method, string Body, IReadOnlyDictionary<string, string> Headers, DateTimeOffset Started, DateTimeOffset Finished);
