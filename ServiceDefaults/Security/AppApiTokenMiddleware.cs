using System.Security.Cryptography;
using System.Text;
using Gateway.ServiceDefaults.Dapr;
using Microsoft.AspNetCore.Http;

namespace Gateway.ServiceDefaults.Security;

/// <summary>
/// With <c>APP_API_TOKEN</c> set, the sidecar adds <c>dapr-api-token</c> to every call it makes to
/// the app; anything else reaching the app without it is rejected with 401, except endpoints marked
/// <see cref="PublicEndpoints.AllowWithoutAppApiToken"/> (probes come from the orchestrator, and a
/// public API from its callers, not from the sidecar). Runs after routing, so it sees the endpoint.
/// </summary>
internal sealed class AppApiTokenMiddleware(RequestDelegate next, DaprSidecarOptions sidecar)
{
    private readonly byte[] _token = Encoding.UTF8.GetBytes(sidecar.AppApiToken ?? "");

    public Task InvokeAsync(HttpContext context)
    {
        if (_token.Length == 0 || context.GetEndpoint()?.Metadata.GetMetadata<PublicEndpointMetadata>() is not null)
        {
            return next(context);
        }

        var presented = Encoding.UTF8.GetBytes(context.Request.Headers["dapr-api-token"].ToString());
        if (CryptographicOperations.FixedTimeEquals(presented, _token))
        {
            return next(context);
        }

        return Results.Problem(
            statusCode: StatusCodes.Status401Unauthorized,
            title: "Unauthorized",
            detail: "The dapr-api-token header is missing or wrong.",
            type: ProblemTypes.Unauthorized).ExecuteAsync(context);
    }

}
