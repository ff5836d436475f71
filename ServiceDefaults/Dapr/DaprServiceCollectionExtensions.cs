using Dapr.Client;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Gateway.ServiceDefaults.Dapr;

public static class DaprServiceCollectionExtensions
{
    /// <summary>
    /// Registers the sidecar options, the SDK's <see cref="DaprClient"/> (<c>AddDaprClient</c> from
    /// Dapr.AspNetCore, with the endpoints and token of <paramref name="options"/> and the JSON of
    /// <see cref="DaprClientOptions"/>) and <see cref="StateStoreClient"/> over it.
    /// <see cref="DaprClientOptions"/> (JSON, retries, timeouts) is configured with
    /// <c>services.Configure&lt;DaprClientOptions&gt;(...)</c> and validated when the host starts.
    /// </summary>
    public static IServiceCollection AddDaprSidecar(this IServiceCollection services, DaprSidecarOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(options);
        services.AddOptions<DaprClientOptions>()
            .Validate(o => o.Validate().Count == 0, "DaprClientOptions are invalid: see DaprClientOptions for the allowed ranges.")
            .ValidateOnStart();
        services.AddDaprClient((provider, builder) =>
        {
            var client = provider.GetRequiredService<IOptions<DaprClientOptions>>().Value;
            builder.UseGrpcEndpoint(options.GrpcEndpoint.ToString())
                .UseHttpEndpoint(options.HttpEndpoint.ToString())
                .UseJsonSerializationOptions(client.JsonSerializerOptions)
                .UseGrpcChannelOptions(SidecarGrpcChannel.CreateOptions(client));
            if (options.ApiToken is { } token)
            {
                builder.UseDaprApiToken(token);
            }
        });
        services.AddSingleton(provider => new SidecarGrpcChannel(options, provider.GetRequiredService<IOptions<DaprClientOptions>>().Value));
        services.AddSingleton(provider => new StateCallPipelines(
            provider.GetRequiredService<IOptions<DaprClientOptions>>().Value,
            provider.GetService<TimeProvider>() ?? TimeProvider.System,
            (ILogger?)provider.GetService<ILoggerFactory>()?.CreateLogger<StateStoreClient>() ?? NullLogger.Instance));
        services.AddSingleton(provider => new StateStoreClient(
            provider.GetRequiredService<DaprClient>(),
            provider.GetRequiredService<SidecarGrpcChannel>(),
            provider.GetRequiredService<IOptions<DaprClientOptions>>().Value,
            provider.GetRequiredService<StateCallPipelines>(),
            (ILogger?)provider.GetService<ILoggerFactory>()?.CreateLogger<StateStoreClient>() ?? NullLogger.Instance));

        return services;
    }
}
