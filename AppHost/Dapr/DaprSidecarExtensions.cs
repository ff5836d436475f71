using System.Globalization;

namespace Gateway.AppHost.Dapr;

/// <summary>
/// A Dapr sidecar as a resource beside its app, wired as the Dapr community integration for Aspire
/// does: the sidecar gets daprd's flags (app id, app port, its own ports, the components), the app
/// gets <c>DAPR_HTTP_PORT</c>/<c>DAPR_GRPC_PORT</c> and their <c>_ENDPOINT</c> forms, and both
/// get the pair's tokens.
/// </summary>
internal static class DaprSidecarExtensions
{
    private const string Loopback = "127.0.0.1";

    /// <summary>
    /// Adds <c>{app}-dapr</c>. The app waits for its sidecar's outbound readiness (components loaded,
    /// findable by the other sidecars); the sidecar in turn waits for its app's port before it
    /// reports ready and delivers calls, as daprd does, so neither start blocks the other.
    /// </summary>
    /// <param name="app">The app, with an <c>http</c> endpoint whose port is fixed.</param>
    /// <param name="options">The sidecar's program, ports, components and tokens.</param>
    public static IResourceBuilder<ExecutableResource> WithDaprSidecar(this IResourceBuilder<ProjectResource> app, DaprSidecarOptions options)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(options);
        var appId = app.Resource.Name;
        var appPort = app.Resource.Annotations.OfType<EndpointAnnotation>().SingleOrDefault(e => e.Name == "http")?.Port
            ?? throw new InvalidOperationException($"{appId} needs a fixed http port for its sidecar's --app-port.");
        var program = options.Program;

        List<string> arguments =
        [
            .. program.PrefixArguments,
            "--app-id", appId,
            "--app-port", Text(appPort),
            "--app-channel-address", Loopback,
            "--app-protocol", "http",
            "--dapr-listen-addresses", Loopback,
            "--dapr-http-port", Text(options.HttpPort),
            "--dapr-grpc-port", Text(options.GrpcPort),
            "--resources-path", options.ResourcesPath,
            "--log-level", options.LogLevel,
            .. options.MetricsPort is { } metrics ? ["--metrics-port", Text(metrics)] : Array.Empty<string>(),
            .. program.ExtraArguments,
        ];

        var sidecar = app.ApplicationBuilder
            .AddExecutable(appId + "-dapr", program.Command, options.WorkDirectory, [.. arguments])
            .WithHttpEndpoint(port: options.HttpPort, targetPort: options.HttpPort, name: "http", isProxied: false)
            .WithEndpoint(port: options.GrpcPort, targetPort: options.GrpcPort, scheme: "http", name: "grpc", isProxied: false)
            // daprd answers its health endpoints 204, not the 200 Aspire expects by default.
            .WithHttpHealthCheck("/v1.0/healthz/outbound", statusCode: 204, endpointName: "http")
            .WithOtlpExporter()
            .WithEnvironment("GATEWAY_PARENT_PID", Environment.ProcessId.ToString(CultureInfo.InvariantCulture))
            .WithParentRelationship(app);
        foreach (var (name, value) in program.Environment)
        {
            sidecar.WithEnvironment(name, value);
        }

        app.WithEnvironment("APP_ID", appId)
            .WithEnvironment("DAPR_HTTP_PORT", Text(options.HttpPort))
            .WithEnvironment("DAPR_HTTP_ENDPOINT", Origin(options.HttpPort))
            .WithEnvironment("DAPR_GRPC_PORT", Text(options.GrpcPort))
            .WithEnvironment("DAPR_GRPC_ENDPOINT", Origin(options.GrpcPort))
            .WaitFor(sidecar);
        if (options.ApiToken is { } apiToken)
        {
            sidecar.WithEnvironment("DAPR_API_TOKEN", apiToken);
            app.WithEnvironment("DAPR_API_TOKEN", apiToken);
        }

        if (options.AppApiToken is { } appApiToken)
        {
            sidecar.WithEnvironment("APP_API_TOKEN", appApiToken);
            app.WithEnvironment("APP_API_TOKEN", appApiToken);
        }

        return sidecar;
    }

    private static string Origin(int port) => $"http://{Loopback}:{Text(port)}";

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
