using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Gateway.LocalSidecar.Hosting;

/// <summary>
/// daprd traces every call it serves and forwards, and propagates W3C <c>traceparent</c>; so does
/// LocalSidecar: a span per request it serves (HTTP and gRPC), a client span per call it forwards
/// to another sidecar or its app (YARP carries the context on), the runtime's metrics, and its logs,
/// exported over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (Aspire sets it, and
/// <c>OTEL_SERVICE_NAME</c>, for the sidecar resource).
/// </summary>
internal static class SidecarTelemetry
{
    private const string YarpSource = "Yarp.ReverseProxy";

    public static WebApplicationBuilder AddSidecarTelemetry(this WebApplicationBuilder builder, SidecarOptions options)
    {
        if (string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            return builder;
        }

        var serviceName = builder.Configuration["OTEL_SERVICE_NAME"] is { Length: > 0 } named ? named : options.AppId + "-dapr";
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });
        builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithTracing(tracing => tracing
                // Health probes (the orchestrator's, every few seconds) would bury the calls.
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !context.Request.Path.StartsWithSegments("/v1.0/healthz", StringComparison.Ordinal))
                .AddHttpClientInstrumentation()
                .AddSource(YarpSource))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation())
            .UseOtlpExporter();
        return builder;
    }
}
