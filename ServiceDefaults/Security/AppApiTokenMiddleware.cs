using System.Security.Cryptography;
using System.Text;
using Gateway.ServiceDefaults.Dapr;
using Microsoft.AspNetCore.Http;

namespace Gateway.ServiceDefaults.Security;

/// <summary>
/// With <c>APP_API_TOKEN</c> set, the sidecar adds <c>dapr-api-token</c> to every call it makes to
/// the app; anything else reaching the app without it is rejected with 401. Liveness and readiness
/// probes come from the orchestrator, not the sidecar, and stay open.
/// </summary>
internal sealed class AppApiTokenMiddleware(RequestDelegate next, DaprSidecarOptions sidecar)
{
    private readonly byte[] _token = Encoding.UTF8.GetBytes(sidecar.AppApiToken ?? "");

    public Task InvokeAsync(HttpContext context)
    {
        if (_token.Length == 0 || IsProbe(context.Request.Path))
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

    private static bool IsProbe(PathString path) =>
        path.Equals(DefaultEndpoints.AlivePath, StringComparison.OrdinalIgnoreCase)
        || path.Equals(DefaultEndpoints.HealthPath, StringComparison.OrdinalIgnoreCase);
}
