using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Gateway.ServiceDefaults.Telemetry;

internal static class TelemetryServiceCollectionExtensions
{
    /// <summary>
    /// Traces, metrics and logs through OpenTelemetry's hosting integration, with the ASP.NET Core,
    /// HttpClient and runtime instrumentations plus our own <c>Gateway.*</c> sources and meters;
    /// exported over OTLP only when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the exporter reads
    /// the other OTEL_* variables itself, as Aspire sets them).
    /// </summary>
    public static IHostApplicationBuilder AddGatewayTelemetry(this IHostApplicationBuilder builder)
    {
        var serviceName = builder.Configuration["OTEL_SERVICE_NAME"] ?? builder.Configuration["APP_ID"] ?? builder.Environment.ApplicationName;
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(serviceName))
            .WithTracing(tracing => tracing
                // Probes of the health endpoints would bury the calls in the trace view.
                .AddAspNetCoreInstrumentation(options => options.Filter = context => !IsProbe(context.Request.Path))
                .AddHttpClientInstrumentation()
                .AddSource(GatewayTelemetry.YarpSource, GatewayTelemetry.SourcePattern))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation()
                .AddRuntimeInstrumentation()
                .AddMeter(GatewayTelemetry.SourcePattern));
        if (!string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
        {
            telemetry.UseOtlpExporter();
        }

        return builder;
    }

    private static bool IsProbe(PathString path) =>
        path.StartsWithSegments(DefaultEndpoints.HealthPath, StringComparison.Ordinal) || path.StartsWithSegments(DefaultEndpoints.AlivePath, StringComparison.Ordinal);
}
