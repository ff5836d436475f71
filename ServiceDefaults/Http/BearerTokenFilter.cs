using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace Gateway.ServiceDefaults.Http;

/// <summary>
/// Lets a request through only with exactly one <c>Authorization: Bearer {token}</c> header: the
/// scheme in any case, then at least one space, spaces and tabs around the token ignored (on the
/// configured token too). Anything else is answered with the service's 401 problem and
/// <c>WWW-Authenticate: Bearer</c>, before the handler runs (so before it reads the body).
/// Without a configured token (null, empty or blank) every request is answered 404, the answer of
/// a route that does not exist, whatever is sent: closed by default, never open.
/// </summary>
/// <remarks>
/// Both sides are hashed (SHA-256) before the constant-time comparison, so neither the content nor
/// the length of the token leaks through timing.
/// </remarks>
public sealed class BearerTokenFilter : IEndpointFilter
{
    /// <summary>The scheme, as answered in <c>WWW-Authenticate</c>.</summary>
    public const string Scheme = "Bearer";

    private readonly byte[]? _expected;
    private readonly Func<IResult> _unauthorized;

    /// <param name="token">The token to require; null, empty or blank turns the endpoints off (404).</param>
    /// <param name="unauthorized">The service's 401 problem, made anew for each refusal.</param>
    public BearerTokenFilter(string? token, Func<IResult> unauthorized)
    {
        ArgumentNullException.ThrowIfNull(unauthorized);
        var trimmed = token.AsSpan().Trim(" \t");
        _expected = trimmed.IsEmpty ? null : Hash(trimmed);
        _unauthorized = unauthorized;
    }

    /// <summary>False when no token is configured and every request is answered 404.</summary>
    public bool IsEnabled => _expected is not null;

    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        if (_expected is null)
        {
            return ValueTask.FromResult<object?>(TypedResults.NotFound());
        }

        if (TokenOf(context.HttpContext.Request.Headers.Authorization) is { Length: > 0 } token
            && CryptographicOperations.FixedTimeEquals(Hash(token), _expected))
        {
            return next(context);
        }

        context.HttpContext.Response.Headers[HeaderNames.WWWAuthenticate] = Scheme;
        return ValueTask.FromResult<object?>(_unauthorized());
    }

    /// <summary>The token of the one <c>Authorization</c> header, trimmed; null when there is not exactly one, or it is no bearer credential.</summary>
    internal static string? TokenOf(StringValues headers)
    {
        if (headers is not [{ } header])
        {
            return null;
        }

        var value = header.AsSpan().Trim(" \t");
        if (value.Length <= Scheme.Length || !value.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase) || value[Scheme.Length] is not (' ' or '\t'))
        {
            return null;
        }

        return value[Scheme.Length..].Trim(" \t").ToString();
    }

    private static byte[] Hash(ReadOnlySpan<char> token)
    {
        var bytes = new byte[Encoding.UTF8.GetByteCount(token)];
        Encoding.UTF8.GetBytes(token, bytes);
        return SHA256.HashData(bytes);
    }
}
