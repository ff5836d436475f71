using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry;
using OpenTelemetry.Logs;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Gateway.ServiceDefaults.Telemetry;

internal static class TelemetryServiceCollectionExtensions
{
    /// <summary>
    /// Traces, metrics and logs through the OpenTelemetry core SDK; exported over OTLP only when
    /// <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the exporter reads the OTEL_* variables itself).
    /// </summary>
    public static IHostApplicationBuilder AddGatewayTelemetry(this IHostApplicationBuilder builder)
    {
        var serviceName = builder.Configuration["OTEL_SERVICE_NAME"] ?? builder.Configuration["APP_ID"] ?? builder.Environment.ApplicationName;
        var export = !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        void Describe(ResourceBuilder resource) => resource.AddService(serviceName);

        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
            logging.SetResourceBuilder(ResourceBuilder.CreateDefault().AddService(serviceName));
            if (export)
            {
                logging.AddOtlpExporter();
            }
        });

        builder.Services.AddSingleton(_ => OpenTelemetrySdk.Create(sdk =>
        {
            sdk.ConfigureResource(Describe);
            sdk.WithTracing(tracing =>
            {
                tracing.AddSource([.. GatewayTelemetry.FrameworkSources, GatewayTelemetry.SourcePattern]);
                if (export)
                {
                    tracing.AddOtlpExporter();
                }
            });
            sdk.WithMetrics(metrics =>
            {
                metrics.AddMeter([.. GatewayTelemetry.FrameworkMeters, GatewayTelemetry.SourcePattern]);
                if (export)
                {
                    metrics.AddOtlpExporter();
                }
            });
        }));
        builder.Services.AddHostedService<TelemetryStartup>();
        return builder;
    }
}
