using Microsoft.Extensions.DependencyInjection;

namespace Gateway.ServiceDefaults.Dapr;

public static class DaprServiceCollectionExtensions
{
    /// <summary>Registers the sidecar options and the Dapr client.</summary>
    public static IServiceCollection AddDaprSidecar(this IServiceCollection services, DaprSidecarOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(options);
        return services;
    }
}
