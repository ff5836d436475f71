using System.Net;
using Gateway.ServiceDefaults.Actors;
using Gateway.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.ServiceDefaults.Tests.Actors.Support;

/// <summary>
/// A service hosting <see cref="CounterActor"/> as every Gateway service would: AddServiceDefaults,
/// AddActors, MapDefaultEndpoints, MapActorsHandlers; listening on 127.0.0.1 at a free port, its
/// sidecar at <c>sidecar</c>.
/// </summary>
public sealed class ActorTestApp : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ActorTestApp(WebApplication app, int port)
    {
        _app = app;
        Port = port;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}"), Timeout = TimeSpan.FromSeconds(30) };
    }

    public int Port { get; }

    /// <summary>A client for calling the app directly, as daprd does.</summary>
    public HttpClient Http { get; }

    public ActorProbe Probe => _app.Services.GetRequiredService<ActorProbe>();

    public ActorClient ActorClient => _app.Services.GetRequiredService<ActorClient>();

    internal ActorRuntime Runtime => _app.Services.GetRequiredService<ActorRuntime>();

    public static async Task<ActorTestApp> StartAsync(Uri sidecar, Action<ActorRuntimeOptions>? configure = null, int? port = null, string? appApiToken = null)
    {
        var chosen = port ?? FreePort.Next();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DAPR_HTTP_ENDPOINT"] = sidecar.ToString(),
            ["DAPR_API_TOKEN"] = "",
            ["APP_API_TOKEN"] = appApiToken ?? "",
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "",
        });
        builder.AddServiceDefaults();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, chosen));
        builder.Services.AddSingleton<ActorProbe>();
        builder.Services.AddActors(options =>
        {
            options.RegisterActor<CounterActor>(CounterActor.TypeName);
            configure?.Invoke(options);
        });
        var app = builder.Build();
        app.MapDefaultEndpoints();
        app.MapActorsHandlers();
        await app.StartAsync();
        return new ActorTestApp(app, chosen);
    }

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
