using Microsoft.AspNetCore.Builder;

namespace Gateway.ServiceDefaults.Security;

/// <summary>
/// Marks endpoints that callers other than the sidecar may reach while <c>APP_API_TOKEN</c> is
/// set: health probes, and a service's own public API (the proxy's, for instance). Everything
/// unmarked still needs the token.
/// </summary>
public static class PublicEndpoints
{
    public static TBuilder AllowWithoutAppApiToken<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.WithMetadata(PublicEndpointMetadata.Instance);
        return builder;
    }
}

internal sealed class PublicEndpointMetadata
{
    public static readonly PublicEndpointMetadata Instance = new();
}
