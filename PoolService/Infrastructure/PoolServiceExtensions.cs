using Dapr.Actors.Client;
using Dapr.Actors.Runtime;
using Gateway.PoolService.Services;
using Gateway.ServiceDefaults.Http;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Configuration.Json;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Gateway.PoolService.Infrastructure;

internal static class PoolServiceExtensions
{
    /// <summary>
    /// A JSON file of extra settings (e.g. <c>AppHost/samples/pools.json</c>), read after
    /// appsettings*.json and before environment variables and the command line, so those still
    /// override it. Set as an environment variable or on the command line.
    /// </summary>
    public const string SettingsFileKey = "POOL_SETTINGS_FILE";

    /// <summary>daprd's <c>actorScanInterval</c> default.</summary>
    private static readonly TimeSpan DefaultScanInterval = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The pool options (section <c>Pool</c>, validated at start), the policy clock, the Backend
    /// actor, the registry and its seeding, leases, usage, and health probing.
    /// </summary>
    public static IHostApplicationBuilder AddPoolServices(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        AddSettingsFile(builder.Configuration);
        var services = builder.Services;
        services.AddOptions<PoolOptions>().Bind(builder.Configuration.GetSection(PoolOptions.SectionName)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<PoolOptions>, PoolOptionsValidator>();
        services.TryAddKeyedSingleton(PoolClock.Key, TimeProvider.System);
        services.TryAddSingleton(new BackendPicker(Random.Shared));
        services.AddSingleton(provider => new BackendPolicy(provider.GetRequiredService<IOptions<PoolOptions>>().Value.Policy));
        services.AddSingleton(provider => CreateCipher(provider.GetRequiredService<IOptions<PoolOptions>>().Value));
        services.AddSingleton<PoolTelemetry>();
        services.AddSingleton<BackendActors>();
        services.AddSingleton<BackendRegistry>();
        services.AddSingleton<LeaseService>();
        services.AddSingleton<UsageLedger>();
        services.AddSingleton<HealthProber>();

        // Request bodies are read with the options the API answers with (web defaults).
        services.AddSingleton(provider => new JsonBodyReader(new() { SerializerOptions = provider.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions }));
        services.AddHostedService<RegistrySeeder>();
        services.AddHostedService(provider => provider.GetRequiredService<HealthProber>());
        services.AddHttpClient(HealthProber.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                // A probe checks the backend itself: it follows no redirect and keeps no cookies.
                AllowAutoRedirect = false,
                UseCookies = false,
                ConnectTimeout = TimeSpan.FromSeconds(5),
            });
        AddBackendActor(services);
        return builder;
    }

    /// <summary>
    /// Hosts the Backend actor with Dapr.Actors, sending the sidecar daprd's defaults explicitly
    /// (as this service always has) but for the idle timeout (<see cref="PoolOptions.ActorIdleTimeout"/>),
    /// and the proxy factory <see cref="BackendActors"/> calls through.
    /// </summary>
    private static void AddBackendActor(IServiceCollection services)
    {
        services.AddSingleton<IActorProxyFactory>(provider => BackendActors.CreateFactory(provider.GetRequiredService<IConfiguration>()));
        services.AddActors(options =>
        {
            options.Actors.RegisterActor<BackendActor>(BackendActor.TypeName);
            options.JsonSerializerOptions = PoolJson.Options;

            // Only remoting calls (typed proxies) read this: with it they travel as JSON too,
            // which the records need (DataContractSerializer cannot build positional records).
            options.UseJsonSerialization = true;
            options.DrainOngoingCallTimeout = TimeSpan.FromSeconds(60);
            options.DrainRebalancedActors = true;
        });
        services.AddOptions<ActorRuntimeOptions>().Configure<IOptions<PoolOptions>, IConfiguration>((options, pool, configuration) =>
        {
            options.HttpEndpoint = BackendActors.SidecarEndpoint(configuration);
            options.ActorIdleTimeout = pool.Value.ActorIdleTimeout;

            // Older daprd versions look for idle actors this often (newer ones track each actor): no
            // less often than the idle timeout, else an actor would outlive it by up to 30 s.
            options.ActorScanInterval = pool.Value.ActorIdleTimeout < DefaultScanInterval ? pool.Value.ActorIdleTimeout : DefaultScanInterval;
        });
    }

    private static ApiKeyCipher CreateCipher(PoolOptions options) =>
        !string.IsNullOrEmpty(options.EncryptionKey) && ApiKeyCipher.TryParseKey(options.EncryptionKey, out var key, out _)
            ? new ApiKeyCipher(key)
            : new ApiKeyCipher(null);

    private static void AddSettingsFile(IConfigurationManager configuration)
    {
        if (configuration[SettingsFileKey] is not { Length: > 0 } path)
        {
            return;
        }

        var sources = configuration.Sources;
        var lastJson = -1;
        for (var i = 0; i < sources.Count; i++)
        {
            if (sources[i] is JsonConfigurationSource)
            {
                lastJson = i;
            }
        }

        var file = new JsonConfigurationSource { Path = Path.GetFullPath(path), Optional = false, ReloadOnChange = false };
        file.ResolveFileProvider();
        sources.Insert(lastJson + 1, file);
    }
}
