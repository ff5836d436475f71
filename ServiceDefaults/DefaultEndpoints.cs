using Gateway.ServiceDefaults.Dapr;
using Gateway.ServiceDefaults.Health;
using Gateway.ServiceDefaults.Logging;
using Gateway.ServiceDefaults.Problems;
using Gateway.ServiceDefaults.Security;
using Gateway.ServiceDefaults.Telemetry;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Gateway.ServiceDefaults;

/// <summary>The wiring every Gateway service shares: one call to add it, one to map it.</summary>
public static class DefaultEndpoints
{
    /// <summary>Liveness: the process answers.</summary>
    public const string AlivePath = "/alive";

    /// <summary>Readiness: the process answers and its sidecar is healthy.</summary>
    public const string HealthPath = "/healthz";

    private const string LiveTag = "live";

    /// <summary>
    /// Telemetry, logs without secrets, problem details, health checks (the sidecar's included),
    /// the sidecar options from the Dapr environment variables, and JSON console logs when
    /// <c>LOG_FORMAT=json</c>.
    /// </summary>
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (string.Equals(builder.Configuration["LOG_FORMAT"], "json", StringComparison.OrdinalIgnoreCase))
        {
            builder.Logging.AddJsonConsole(o => o.IncludeScopes = true);
        }

        builder.AddGatewayTelemetry();
        builder.AddRedactedLogging();
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddHostedService<Gateway.Hosting.ParentProcessWatch>();
        builder.Services.AddProblemDetails(o => o.CustomizeProblemDetails = FrameworkProblems.Customize);
        builder.Services.AddDaprSidecar(DaprSidecarOptions.FromEnvironment(name => builder.Configuration[name]));
        builder.Services.AddHealthChecks()
            .AddCheck("self", () => HealthCheckResult.Healthy(), [LiveTag])
            .AddCheck<DaprSidecarHealthCheck>("dapr-sidecar");
        return builder;
    }

    /// <summary>
    /// The request log, the app-token check, exception and status-code problem details,
    /// <c>/alive</c> and <c>/healthz</c>.
    /// </summary>
    public static WebApplication MapDefaultEndpoints(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.UseMiddleware<RequestLogMiddleware>();
        app.UseMiddleware<AppApiTokenMiddleware>();
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = FrameworkProblems.StatusCodeOf,
            SuppressDiagnosticsCallback = FrameworkProblems.IsClientFault,
        });
        app.UseStatusCodePages();
        app.MapHealthChecks(AlivePath, new HealthCheckOptions { Predicate = check => check.Tags.Contains(LiveTag) }).AllowWithoutAppApiToken();
        app.MapHealthChecks(HealthPath).AllowWithoutAppApiToken();
        return app;
    }
}
