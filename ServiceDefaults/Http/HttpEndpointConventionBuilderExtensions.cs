using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Gateway.ServiceDefaults.Http;

/// <summary>
/// The shared filters on an endpoint or group. Each filter is made when the endpoint is built, so
/// the options it reads are read after the host validated them at start, not when routes are mapped.
/// </summary>
public static class HttpEndpointConventionBuilderExtensions
{
    /// <summary>Adds a <see cref="BearerTokenFilter"/>.</summary>
    /// <param name="builder">The endpoint or group.</param>
    /// <param name="token">Reads the configured token from the application's services (null or blank: 404, closed).</param>
    /// <param name="unauthorized">The service's 401 problem.</param>
    public static TBuilder RequireBearerToken<TBuilder>(this TBuilder builder, Func<IServiceProvider, string?> token, Func<IResult> unauthorized)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(token);
        ArgumentNullException.ThrowIfNull(unauthorized);
        return builder.AddEndpointFilterFactory((context, next) =>
        {
            var filter = new BearerTokenFilter(token(context.ApplicationServices), unauthorized);
            return invocation => filter.InvokeAsync(invocation, next);
        });
    }

    /// <summary>Adds a <see cref="StoreUnavailableFilter"/>.</summary>
    /// <param name="builder">The endpoint or group.</param>
    /// <param name="unavailable">The service's 503 problem.</param>
    public static TBuilder AnswerStoreUnavailableWith<TBuilder>(this TBuilder builder, Func<IResult> unavailable)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(unavailable);
        return builder.AddEndpointFilterFactory((context, next) =>
        {
            var filter = new StoreUnavailableFilter(context.ApplicationServices.GetRequiredService<ILogger<StoreUnavailableFilter>>(), unavailable);
            return invocation => filter.InvokeAsync(invocation, next);
        });
    }
}
