using System.Security.Cryptography;
using System.Text;
using Gateway.BillingService.Infrastructure;
using Microsoft.Extensions.Options;

namespace Gateway.BillingService.Apis;

/// <summary>
/// Lets a request to an operator endpoint through only with
/// <c>Authorization: Bearer {Billing:OperatorToken}</c> (the scheme in any case, spaces around the
/// token ignored); anything else is 401 with <c>WWW-Authenticate: Bearer</c>, before the body is
/// read. Both sides are hashed before the constant-time comparison, so neither the content nor the
/// length of the token leaks through timing. Without a configured token: 404, the same answer as a
/// route that does not exist, whatever is sent.
/// </summary>
internal sealed class OperatorTokenFilter(IOptions<BillingOptions> options) : IEndpointFilter
{
    private const string Scheme = "Bearer ";

    private readonly byte[]? _expected = options.Value.OperatorEndpointsEnabled ? SHA256.HashData(Encoding.UTF8.GetBytes(options.Value.OperatorToken!)) : null;

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (_expected is null)
        {
            return ValueTask.FromResult<object?>(TypedResults.NotFound());
        }

        var headers = context.HttpContext.Request.Headers.Authorization;
        if (headers is [{ } header]
            && header.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase)
            && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(header[Scheme.Length..].Trim())), _expected))
        {
            return next(context);
        }

        context.HttpContext.Response.Headers.WWWAuthenticate = "Bearer";
        return ValueTask.FromResult<object?>(BillingProblems.OperatorUnauthorized());
    }
}
