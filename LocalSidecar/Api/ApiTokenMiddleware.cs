using System.Security.Cryptography;
using System.Text;
using Gateway.LocalSidecar.Hosting;

namespace Gateway.LocalSidecar.Api;

/// <summary>
/// With <c>DAPR_API_TOKEN</c> set, every API call must carry it in <c>dapr-api-token</c>
/// (health checks excepted); the header is removed before anything is forwarded.
/// </summary>
internal sealed class ApiTokenMiddleware(RequestDelegate next, SidecarOptions options)
{
    private readonly byte[]? _token = options.ApiToken is null ? null : Encoding.UTF8.GetBytes(options.ApiToken);

    public async Task InvokeAsync(HttpContext context)
    {
        if (_token is not null)
        {
            var presented = Encoding.UTF8.GetBytes(context.Request.Headers["dapr-api-token"].ToString());
            if (!CryptographicOperations.FixedTimeEquals(presented, _token) && !IsHealthCheck(context.Request))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                context.Response.ContentType = "text/plain; charset=utf-8";
                context.Response.Headers.XContentTypeOptions = "nosniff";
                await context.Response.WriteAsync("invalid api token\n", context.RequestAborted).ConfigureAwait(false);
                return;
            }

            context.Request.Headers.Remove("dapr-api-token");
        }

        await next(context).ConfigureAwait(false);
    }

    private static bool IsHealthCheck(HttpRequest request) =>
        HttpMethods.IsGet(request.Method) && (request.Path.Value?.Trim('/') is "v1.0/healthz" or "v1.0/healthz/outbound");
}
