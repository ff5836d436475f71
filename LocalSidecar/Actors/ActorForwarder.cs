using Gateway.LocalSidecar.Invocation;

namespace Gateway.LocalSidecar.Actors;

/// <summary>Sends an actor call to the sidecar that hosts the actor (its internal port).</summary>
internal sealed class ActorForwarder : IDisposable
{
    private static readonly HashSet<string> SkippedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding", "TE", "Trailer", "Upgrade", "Content-Length", "Content-Type", "dapr-api-token",
    };

    private readonly HttpClient _client = new(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, UseCookies = false, ConnectTimeout = TimeSpan.FromSeconds(5) })
    {
        Timeout = Timeout.InfiniteTimeSpan,
    };

    /// <summary>The host's answer; status 0 when the host could not be reached.</summary>
    public async Task<ActorCallResult> ForwardAsync(HttpContext context, SidecarAnnouncement host, ActorKey key, string method)
    {
        using var request = new HttpRequestMessage(HttpMethod.Put, $"http://127.0.0.1:{host.InternalPort}/actors/{Uri.EscapeDataString(key.Type)}/{Uri.EscapeDataString(key.Id)}/method/{method}");
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
        request.Content = new ByteArrayContent(buffer.ToArray());
        if (context.Request.ContentType is { Length: > 0 } contentType)
        {
            request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
        }

        foreach (var (name, values) in context.Request.Headers)
        {
            if (!SkippedHeaders.Contains(name))
            {
                request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        try
        {
            using var response = await _client.SendAsync(request, context.RequestAborted).ConfigureAwait(false);
            var body = await response.Content.ReadAsByteArrayAsync(context.RequestAborted).ConfigureAwait(false);
            var headers = response.Headers
                .Where(h => !SkippedHeaders.Contains(h.Key) && !h.Key.Equals("Date", StringComparison.OrdinalIgnoreCase))
                .SelectMany(h => h.Value.Select(v => new KeyValuePair<string, string>(h.Key, v)))
                .ToList();
            return new ActorCallResult((int)response.StatusCode, headers, response.Content.Headers.ContentType?.ToString(), body);
        }
        catch (HttpRequestException)
        {
            return new ActorCallResult(0, [], null, []);
        }
    }

    public void Dispose() => _client.Dispose();
}
