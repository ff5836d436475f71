using System.Net;
using Gateway.LocalSidecar.Actors;
using Gateway.LocalSidecar.Api;
using Gateway.LocalSidecar.Components;
using Gateway.LocalSidecar.Grpc;
using Grpc.AspNetCore.Server.Model;
using Gateway.LocalSidecar.Invocation;
using Gateway.LocalSidecar.Metadata;
using Gateway.LocalSidecar.State;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Gateway.LocalSidecar.Hosting;

/// <summary>Builds and runs the sidecar: components, the public API port, the internal port.</summary>
internal static partial class SidecarHost
{
    public static async Task<WebApplication> BuildAsync(SidecarOptions options, IReadOnlyList<ComponentDefinition> components, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder();
        ConfigureLogging(builder.Logging, options);
        builder.AddSidecarTelemetry(options);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = null;
            foreach (var address in options.ListenAddresses)
            {
                ListenAddress.Listen(kestrel, address, options.HttpPort);

                // daprd's gRPC API speaks HTTP/2 without TLS (prior knowledge).
                ListenAddress.Listen(kestrel, address, options.GrpcPort, listen => listen.Protocols = HttpProtocols.Http2);
            }

            kestrel.Listen(IPAddress.Loopback, 0);
        });

        var time = TimeProvider.System;
        // Stores are opened before the host is built (a broken component must stop start-up), so
        // they log through a factory of their own, configured like the host's and owned by the catalog.
        var storeLoggers = LoggerFactory.Create(logging => ConfigureLogging(logging, options));
        var stores = await StateStoreFactory.CreateAllAsync(components, time, storeLoggers, cancellationToken).ConfigureAwait(false);
        builder.Services.AddSingleton(options);
        builder.Services.AddSingleton(time);
        builder.Services.AddHostedService<Gateway.Hosting.ParentProcessWatch>();
        builder.Services.AddSingleton(stores);
        builder.Services.AddSingleton<StateRuntime>();
        builder.Services.AddSingleton<InternalEndpoint>();
        builder.Services.AddSingleton<SidecarRegistry>();
        builder.Services.AddSingleton<InvocationForwarder>();
        builder.Services.AddSingleton<AppChannel>();
        builder.Services.AddSingleton<ActorTurns>();
        builder.Services.AddSingleton<HostedActors>();
        builder.Services.AddSingleton<ActorPlacement>();
        builder.Services.AddSingleton<ActorTimers>();
        builder.Services.AddSingleton<ActorForwarder>();
        builder.Services.AddSingleton<ActorReminders>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<ActorReminders>());
        builder.Services.AddHostedService<ActorDeactivation>();
        builder.Services.AddSingleton<SidecarReadiness>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SidecarReadiness>());
        builder.Services.AddSingleton<RuntimeMetadata>();
        builder.Services.AddGrpc(grpc =>
        {
            // daprd's --max-body-size default bounds both directions.
            grpc.MaxReceiveMessageSize = DaprGrpcLimits.MaxMessageSize;
            grpc.MaxSendMessageSize = DaprGrpcLimits.MaxMessageSize;
            grpc.Interceptors.Add<ApiTokenInterceptor>();
        });
        builder.Services.AddSingleton<DaprGrpcService>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IServiceMethodProvider<DaprGrpcService>, DaprMethodProvider>());
        builder.Services.AddHttpForwarder();
        builder.Services.AddRouting();

        var app = builder.Build();
        var internalEndpoint = app.Services.GetRequiredService<InternalEndpoint>();
        var invocation = app.Services.GetRequiredService<InvocationForwarder>();
        var hosted = app.Services.GetRequiredService<HostedActors>();
        app.MapWhen(internalEndpoint.Serves, branch => branch.Run(context =>
            context.Request.Path.StartsWithSegments("/actors", StringComparison.Ordinal)
                ? ActorApi.DeliverFromSidecarAsync(context, hosted)
                : invocation.DeliverFromSidecarAsync(context)));

        app.UseMiddleware<CleanPathMiddleware>();
        // The gRPC port serves gRPC only; its calls check the API token in ApiTokenInterceptor.
        app.Use((context, next) => context.Connection.LocalPort != options.GrpcPort ? next(context)
            : context.Request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true ? next(context)
            : Results.StatusCode(StatusCodes.Status415UnsupportedMediaType).ExecuteAsync(context));
        app.UseWhen(context => context.Connection.LocalPort != options.GrpcPort, http => http.UseMiddleware<ApiTokenMiddleware>());
        app.UseRouting();
        app.MapGrpcService<DaprGrpcService>();
        app.MapRuntimeApi();
        app.MapStateApi();
        app.MapActorApi();

        // daprd's invoke route doubles as the fallback: any path it does not route is an invocation
        // (with dapr-app-id), or a 404 ERR_DIRECT_INVOKE when no app id can be found.
        app.Map("/v1.0/invoke/{**rest}", invocation.InvokeAsync);
        app.MapFallback("{**path}", invocation.InvokeAsync);
        return app;
    }

    private static void ConfigureLogging(ILoggingBuilder logging, SidecarOptions options)
    {
        logging.ClearProviders();
        logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.TimestampFormat = "HH:mm:ss.fff ";
        });
        logging.SetMinimumLevel(options.LogLevel switch
        {
            "debug" => LogLevel.Debug,
            "warn" => LogLevel.Warning,
            "error" => LogLevel.Error,
            "fatal" => LogLevel.Critical,
            _ => LogLevel.Information,
        });
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
        logging.AddFilter("Yarp", options.LogLevel == "debug" ? LogLevel.Debug : LogLevel.Error);
    }

    /// <summary>Starts listening, then announces this sidecar to the others on the machine.</summary>
    public static async Task StartAsync(WebApplication app, CancellationToken cancellationToken)
    {
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var options = app.Services.GetRequiredService<SidecarOptions>();
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses;
        var internalPort = addresses.Select(a => new Uri(a).Port).First(p => p != options.HttpPort && p != options.GrpcPort);
        app.Services.GetRequiredService<InternalEndpoint>().Bind(internalPort);
        app.Services.GetRequiredService<SidecarRegistry>().Announce(
            new SidecarAnnouncement(options.AppId, Environment.ProcessId, internalPort, options.HttpPort, []));
        app.Services.GetRequiredService<SidecarReadiness>().MarkAnnounced();
        LogStarted(app.Logger, options.AppId, options.HttpPort, options.GrpcPort, internalPort, options.RegistryPath);
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "LocalSidecar for app '{AppId}' listening on HTTP port {HttpPort} and gRPC port {GrpcPort} (internal port {InternalPort}, registry {Registry})")]
    private static partial void LogStarted(ILogger logger, string appId, int httpPort, int grpcPort, int internalPort, string registry);
}
