namespace Gateway.ProxyService.Infrastructure.Forwarding;

/// <summary>
/// Adds a query-parameter credential as the request leaves, after YARP has logged the destination
/// (its "Proxying to" line carries the whole URL), so the secret never reaches a log line. The
/// System.Net.Http telemetry that runs later redacts query values by default.
/// </summary>
internal sealed class CredentialQueryHandler(HttpMessageHandler inner) : DelegatingHandler(inner)
{
    public static readonly HttpRequestOptionsKey<UpstreamCredential> Key = new("Gateway.Proxy.QueryCredential");

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Options.TryGetValue(Key, out var credential) && credential.QueryParameter is { } name && request.RequestUri is { } uri)
        {
            var query = uri.Query.Length > 1 ? uri.Query + "&" : "?";
            var builder = new UriBuilder(uri) { Query = query[1..] + Uri.EscapeDataString(name) + "=" + Uri.EscapeDataString(credential.Value) };
            request.RequestUri = builder.Uri;
        }

        return base.SendAsync(request, cancellationToken);
    }
}
