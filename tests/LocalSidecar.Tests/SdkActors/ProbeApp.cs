using System.Globalization;
using System.Net;
using Dapr.Actors;
using Dapr.Actors.Runtime;
using Gateway.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.LocalSidecar.Tests.SdkActors;

/// <summary>Settings of a <see cref="ProbeApp"/>; null leaves the SDK's (and so daprd's) default.</summary>
public sealed record ProbeAppSettings(TimeSpan? IdleTimeout = null, TimeSpan? ScanInterval = null, string? ApiToken = null);

/// <summary>
/// An app hosting <see cref="ProbeActor"/> the way the services will: <c>AddActors</c> and
/// <c>MapActorsHandlers</c> from Dapr.Actors.AspNetCore, finding its sidecar through the standard
/// <c>DAPR_HTTP_PORT</c> / <c>DAPR_API_TOKEN</c> settings (here in the app's configuration, so
/// several apps can run in one test process).
/// </summary>
public sealed class ProbeApp : IAsyncDisposable
{
    private readonly WebApplication _app;

    private ProbeApp(WebApplication app, int port, ActorJournal journal)
    {
        _app = app;
        Port = port;
        Journal = journal;
    }

    /// <summary>A second actor type, registered with an idle timeout of its own.</summary>
    public const string ShortLivedTypeName = "ShortLivedProbe";

    /// <summary>A third actor type, registered with reentrancy enabled.</summary>
    public const string ReentrantTypeName = "ReentrantProbe";

    public static readonly TimeSpan ShortLivedIdleTimeout = TimeSpan.FromSeconds(1);

    public int Port { get; }

    public ActorJournal Journal { get; }

    public static async Task<ProbeApp> StartAsync(string name, int sidecarPort, ProbeAppSettings settings)
    {
        var port = FreePort.Next();
        var journal = new ActorJournal(name);
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, port));
        builder.Configuration["DAPR_HTTP_PORT"] = sidecarPort.ToString(CultureInfo.InvariantCulture);
        if (settings.ApiToken is { } token)
        {
            builder.Configuration["DAPR_API_TOKEN"] = token;
        }

        builder.Services.AddSingleton(journal);
        builder.Services.AddActors(options =>
        {
            options.Actors.RegisterActor<ProbeActor>();

            // The same actor under a second type with options of its own: the SDK sends them as entitiesConfig.
            options.Actors.RegisterActor<ProbeActor>(ShortLivedTypeName, new ActorRuntimeOptions { ActorIdleTimeout = ShortLivedIdleTimeout });
            options.Actors.RegisterActor<ProbeActor>(ReentrantTypeName, new ActorRuntimeOptions { ReentrancyConfig = new ActorReentrancyConfig { Enabled = true } });
            options.UseJsonSerialization = true;
            options.ActorIdleTimeout = settings.IdleTimeout;
            options.ActorScanInterval = settings.ScanInterval;
        });
        var app = builder.Build();
        app.MapActorsHandlers();
        await app.StartAsync();
        return new ProbeApp(app, port, journal);
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
