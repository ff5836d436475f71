using System.Net;
using Gateway.LocalSidecar.Hosting;

namespace Gateway.LocalSidecar.Actors;

/// <summary>
/// Buffered calls from the sidecar to its app for the actor protocol (DAPR-HTTP.md section 5):
/// actor answers are small and must be inspected (status, cancel header) before they are relayed.
/// </summary>
internal sealed class AppChannel : IDisposable
{
    private static readonly HashSet<string> SkippedHeaders = new(StringComparer.OrdinalIgnoreCase)
    {
        "Host", "Connection", "Keep-Alive", "Proxy-Connection", "Transfer-Encoding", "TE", "Trailer", "Upgrade",
        "Content-Length", "Content-Type", "dapr-api-token", "Dapr-Reentrancy-Id",
    };

    private readonly HttpClient _client;
    private readonly SidecarOptions _options;

    public AppChannel(SidecarOptions options)
    {
        _options = options;
        var host = IPAddress.TryParse(options.AppChannelAddress, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? $"[{options.AppChannelAddress}]"
            : options.AppChannelAddress;
        _client = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false, UseCookies = false, ConnectTimeout = TimeSpan.FromSeconds(5) })
        {
            BaseAddress = new Uri($"http://{host}:{options.AppPort ?? 0}/"),
            Timeout = Timeout.InfiniteTimeSpan,
        };
    }

    public bool HasApp => _options.AppPort is not null;

    /// <summary>Sends a request to the app and reads its whole answer.</summary>
    public async Task<AppResponse> SendAsync(
        HttpMethod method,
        string path,
        byte[]? body,
        string? contentType,
        IEnumerable<KeyValuePair<string, string>> headers,
        string? reentrancyId,
        CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new ByteArrayContent(body);
            if (!string.IsNullOrEmpty(contentType))
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }
        }

        foreach (var (name, value) in headers)
        {
            if (!SkippedHeaders.Contains(name))
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }
        }

        if (reentrancyId is not null)
        {
            request.Headers.TryAddWithoutValidation("Dapr-Reentrancy-Id", reentrancyId);
        }

        if (_options.AppApiToken is { } token)
        {
            request.Headers.TryAddWithoutValidation("dapr-api-token", token);
        }

        using var response = await _client.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var content = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        var responseHeaders = response.Headers
            .Where(h => !SkippedHeaders.Contains(h.Key) && !h.Key.Equals("Date", StringComparison.OrdinalIgnoreCase) && !h.Key.Equals("Server", StringComparison.OrdinalIgnoreCase))
            .SelectMany(h => h.Value.Select(v => new KeyValuePair<string, string>(h.Key, v)))
            .ToList();
        return new AppResponse((int)response.StatusCode, responseHeaders, response.Content.Headers.ContentType?.ToString(), content);
    }

    public void Dispose() => _client.Dispose();
}

internal sealed record AppResponse(int StatusCode, IReadOnlyList<KeyValuePair<string, string>> Headers, string? ContentType, byte[] Body)
{
    public bool HasHeader(string name) => Headers.Any(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase));

    public string? Header(string name) => Headers.FirstOrDefault(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Value;
}
