using Gateway.ProxyService.Infrastructure.Forwarding;
using Gateway.ProxyService.Model;

namespace Gateway.ProxyService.Apis;

/// <summary>
/// Writes an answer the proxy holds in memory (a provider's captured answer, or one replayed from
/// the ledger) with the call it is about in <c>X-Proxy-Call-Id</c>.
/// </summary>
internal sealed class LedgerAnswerResult(CachedResponse response, string? callId, bool replayed) : IResult
{
    public CachedResponse Response => response;

    public string? CallId => callId;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var http = httpContext.Response;
        http.StatusCode = response.StatusCode;
        foreach (var header in response.Headers)
        {
            http.Headers[header.Name] = header.Values;
        }

        if (callId is not null)
        {
            http.Headers[GatewayHeaders.CallId] = callId;
        }

        if (replayed)
        {
            http.Headers[GatewayHeaders.Replayed] = "true";
        }

        http.ContentLength = response.Body.Length;
        if (response.Body.Length > 0 && !HttpMethods.IsHead(httpContext.Request.Method))
        {
            await http.Body.WriteAsync(response.Body, httpContext.RequestAborted).ConfigureAwait(false);
        }
    }
}
