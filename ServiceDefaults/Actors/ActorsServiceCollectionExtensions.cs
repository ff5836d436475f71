using Gateway.ServiceDefaults.Dapr;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Gateway.ServiceDefaults.Actors;

public static class ActorsServiceCollectionExtensions
{
    /// <summary>
    /// Hosts actors in this app: registers the actor types and settings configured by
    /// <paramref name="configure"/> (see <see cref="ActorRuntimeOptions"/> for the defaults), the
    /// runtime that serves the sidecar's calls, and <see cref="ActorClient"/>. Map the endpoints with
    /// <c>app.MapActorsHandlers()</c>. Needs the sidecar options of <c>AddServiceDefaults()</c> (or
    /// <c>AddDaprSidecar</c>): actor state, reminders and timers go through the sidecar.
    /// </summary>
    /// <example>
    /// <code>
    /// builder.AddServiceDefaults();
    /// builder.Services.AddActors(options => options.RegisterActor&lt;BackendActor&gt;("Backend"));
    /// var app = builder.Build();
    /// app.MapDefaultEndpoints();
    /// app.MapActorsHandlers();
    /// </code>
    /// </example>
    /// <exception cref="ArgumentException">The options are invalid (e.g. no actor type, a non-positive timeout).</exception>
    /// <exception cref="InvalidOperationException">An actor type cannot be hosted (see <see cref="Actor"/>), or actors were already added.</exception>
    public static IServiceCollection AddActors(this IServiceCollection services, Action<ActorRuntimeOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        if (services.Any(d => d.ServiceType == typeof(ActorRuntime)))
        {
            throw new InvalidOperationException("AddActors was already called; register every actor type in one call.");
        }

        var options = new ActorRuntimeOptions();
        configure(options);
        if (options.Validate() is [_, ..] problems)
        {
            throw new ArgumentException("Invalid ActorRuntimeOptions: " + string.Join("; ", problems), nameof(configure));
        }

        services.AddActorClient();
        services.AddSingleton(provider => new ActorRuntime(
            options,
            provider,
            provider.GetRequiredService<ActorSidecarApi>(),
            provider.GetRequiredService<ActorClient>(),
            (ILogger?)provider.GetService<ILoggerFactory>()?.CreateLogger(typeof(ActorRuntime).FullName!) ?? NullLogger.Instance));
        return services;
    }

    /// <summary>
    /// Registers <see cref="ActorClient"/>, for a service that calls actors without hosting any.
    /// Needs the sidecar options of <c>AddServiceDefaults()</c> (or <c>AddDaprSidecar</c>). Safe to call more than once.
    /// </summary>
    public static IServiceCollection AddActorClient(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.TryAddSingleton(provider => new ActorSidecarApi(provider.GetRequiredService<DaprSidecarChannel>()));
        services.TryAddSingleton(provider => new ActorClient(provider.GetRequiredService<ActorSidecarApi>()));
        return services;
    }
}
