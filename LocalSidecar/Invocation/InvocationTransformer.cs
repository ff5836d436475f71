using Yarp.ReverseProxy.Forwarder;

namespace Gateway.LocalSidecar.Invocation;

/// <summary>
/// Rewrites a forwarded invocation: the target URI is exactly the invoked method and query, the
/// sidecar's own headers are removed and Dapr's caller/callee headers are set. YARP's default
/// transformer already drops hop-by-hop headers and copies the rest, as daprd does.
/// </summary>
internal sealed class InvocationTransformer(Uri target, IReadOnlyList<KeyValuePair<string, string>> setHeaders) : HttpTransformer
{
    private static readonly string[] RemovedHeaders = ["dapr-app-id", "dapr-api-token", "dapr-caller-app-id", "dapr-callee-app-id"];

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);
        proxyRequest.RequestUri = target;

        // daprd builds a new request to the target, so Host names the target; the caller's Host
        // travels in X-Forwarded-Host.
        proxyRequest.Headers.Host = null;
        foreach (var header in RemovedHeaders)
        {
            proxyRequest.Headers.Remove(header);
        }

        foreach (var (name, value) in setHeaders)
        {
            proxyRequest.Headers.Remove(name);
            proxyRequest.Headers.TryAddWithoutValidation(name, value);
        }
    }
}
