using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Gateway.ServiceDefaults.Dapr;

public static class DaprServiceCollectionExtensions
{
    /// <summary>
    /// Registers the sidecar options and the Dapr state client: <see cref="DaprStateClient"/>, a
    /// singleton over one connection pool to the sidecar.
    /// <see cref="DaprClientOptions"/> (JSON, retries, timeouts) is configured with
    /// <c>services.Configure&lt;DaprClientOptions&gt;(...)</c> and validated when the host starts.
    /// </summary>
    /// <remarks>
    /// The clients do not go through <c>IHttpClientFactory</c>: the sidecar is a single long-lived
    /// destination, so one <see cref="SocketsHttpHandler"/> with a pooled-connection lifetime does
    /// what handler rotation would, without the factory's default handler (cookies, redirects) or its
    /// request logging (URIs carry state keys). The retry pipeline lives in the client because which
    /// calls may be repeated depends on the call, not on the HTTP request.
    /// </remarks>
    public static IServiceCollection AddDaprSidecar(this IServiceCollection services, DaprSidecarOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(options);
        services.AddOptions<DaprClientOptions>()
            .Validate(o => o.Validate().Count == 0, "DaprClientOptions are invalid: see DaprClientOptions for the allowed ranges.")
            .ValidateOnStart();
        services.AddSingleton(provider => new DaprSidecarChannel(
            provider.GetRequiredService<DaprSidecarOptions>(),
            provider.GetRequiredService<IOptions<DaprClientOptions>>().Value,
            (ILogger?)provider.GetService<ILoggerFactory>()?.CreateLogger<DaprSidecarChannel>() ?? NullLogger.Instance,
            provider.GetService<TimeProvider>() ?? TimeProvider.System,
            provider.GetService<IMeterFactory>()));
        services.AddSingleton(provider => new DaprStateClient(provider.GetRequiredService<DaprSidecarChannel>()));
        return services;
    }
}
