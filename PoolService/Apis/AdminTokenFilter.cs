using System.Security.Cryptography;
using System.Text;
using Gateway.PoolService.Infrastructure;
using Microsoft.Extensions.Options;

namespace Gateway.PoolService.Apis;

/// <summary>
/// Lets an admin request through only with <c>Authorization: Bearer {Pool:AdminToken}</c>. Both
/// sides are hashed before the constant-time comparison, so neither the content nor the length of
/// the token leaks through timing. (With no token configured the admin routes are not mapped at all.)
/// </summary>
internal sealed class AdminTokenFilter(IOptions<PoolOptions> options) : IEndpointFilter
{
    private const string Scheme = "Bearer ";

    private readonly byte[] _expected = SHA256.HashData(Encoding.UTF8.GetBytes(options.Value.AdminToken ?? ""));

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var header = context.HttpContext.Request.Headers.Authorization.ToString();
        if (header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)
            && options.Value.AdminEnabled
            && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(header[Scheme.Length..].Trim())), _expected))
        {
            return next(context);
        }

        context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
        return ValueTask.FromResult<object?>(PoolProblems.AdminUnauthorized());
    }
}
