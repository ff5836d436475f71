using Gateway.ProxyService.Infrastructure.Forwarding;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.ProxyService.Services.Llm;

/// <summary>
/// The streaming rules of <see cref="UpstreamTransformer"/>, except that an answer worth another
/// backend (429, 5xx) is held back: nothing of it reaches the client, so the request can be sent
/// elsewhere. Every other answer streams through as the backend sends it.
/// </summary>
internal sealed class BackendStreamTransformer(UpstreamTransformer inner) : HttpTransformer
{
    /// <summary>The backend's status, once it answered.</summary>
    public int? Status { get; private set; }

    /// <summary>The backend's answer was held back (429 or 5xx).</summary>
    public bool HeldBack { get; private set; }

    /// <summary>The <c>Retry-After</c> of a held-back answer, raw.</summary>
    public string? RetryAfter { get; private set; }

    public override ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken) =>
        inner.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken);

    public override ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        if (proxyResponse is not null)
        {
            Status = (int)proxyResponse.StatusCode;
            if (Status is StatusCodes.Status429TooManyRequests or >= 500)
            {
                HeldBack = true;
                RetryAfter = proxyResponse.Headers.TryGetValues(HeaderNames.RetryAfter, out var values) ? values.FirstOrDefault() : null;
                return ValueTask.FromResult(false);
            }
        }

        return inner.TransformResponseAsync(httpContext, proxyResponse, cancellationToken);
    }
}
