using System.Buffers;
using System.Collections.Frozen;
using Gateway.ProxyService.Model;
using Microsoft.Net.Http.Headers;
using Yarp.ReverseProxy.Forwarder;

namespace Gateway.ProxyService.Infrastructure.Forwarding;

/// <summary>
/// The request and response rules of every forwarded call. Request: the client's headers minus
/// hop-by-hop headers (YARP's base), minus credentials, cookies, forwarding and gateway headers,
/// plus the gateway's credential; the URL is the confined one computed beforehand. Response:
/// streamed with the provider's headers minus cookies, or (capture mode, for tracked calls) read
/// into memory up to a bound and not written, so the caller decides what the client gets.
/// </summary>
internal sealed class UpstreamTransformer : HttpTransformer
{
    /// <summary>Client headers never forwarded, whatever the provider.</summary>
    public static readonly FrozenSet<string> AlwaysStripped = new[]
    {
        HeaderNames.Authorization, HeaderNames.ProxyAuthorization, "X-Api-Key", "Api-Key", HeaderNames.Cookie,
        HeaderNames.Host, "Forwarded", "X-Forwarded-For", "X-Forwarded-Host", "X-Forwarded-Proto", "X-Forwarded-Prefix", "X-Real-IP",
        GatewayHeaders.IdempotencyKey, GatewayHeaders.ThreadId, "dapr-api-token", "dapr-app-id",
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    /// <summary>Response headers not kept with a captured answer: they describe the transfer, not the content, or set cookies.</summary>
    private static readonly FrozenSet<string> NotCaptured = new[]
    {
        HeaderNames.SetCookie, HeaderNames.ContentLength, HeaderNames.TransferEncoding, HeaderNames.Connection, HeaderNames.KeepAlive,
        HeaderNames.Date, HeaderNames.Server, HeaderNames.Upgrade, HeaderNames.ProxyAuthenticate, HeaderNames.AltSvc, HeaderNames.Trailer,
    }.ToFrozenSet(StringComparer.OrdinalIgnoreCase);

    private readonly UpstreamTarget _target;
    private readonly Uri _destination;
    private readonly int? _captureLimit;

    private UpstreamTransformer(UpstreamTarget target, Uri destination, int? captureLimit)
    {
        _target = target;
        _destination = destination;
        _captureLimit = captureLimit;
    }

    /// <summary>The captured answer (capture mode), once the provider answered.</summary>
    public CachedResponse? Captured { get; private set; }

    /// <summary>Capture mode: the answer's body was longer than the bound.</summary>
    public bool CaptureTooLarge { get; private set; }

    /// <summary>Capture mode: reading the answer's body failed (the provider went silent or away).</summary>
    public Exception? CaptureFailure { get; private set; }

    public static UpstreamTransformer Streaming(UpstreamTarget target, Uri destination) => new(target, destination, null);

    public static UpstreamTransformer Capturing(UpstreamTarget target, Uri destination, int limit) => new(target, destination, limit);

    public override async ValueTask TransformRequestAsync(HttpContext httpContext, HttpRequestMessage proxyRequest, string destinationPrefix, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(proxyRequest);
        await base.TransformRequestAsync(httpContext, proxyRequest, destinationPrefix, cancellationToken).ConfigureAwait(false);
        foreach (var header in proxyRequest.Headers.Select(h => h.Key).ToList())
        {
            if (AlwaysStripped.Contains(header) || _target.StripHeaders.Contains(header)
                || (_target.Credential.Header is { } credentialHeader && string.Equals(header, credentialHeader, StringComparison.OrdinalIgnoreCase)))
            {
                proxyRequest.Headers.Remove(header);
            }
        }

        if (_captureLimit is not null)
        {
            // A tracked answer is parsed and stored, so it must come uncompressed (decompression is off).
            proxyRequest.Headers.Remove(HeaderNames.AcceptEncoding);
        }

        var credential = _target.Credential;
        if (credential.Header is { } name)
        {
            proxyRequest.Headers.TryAddWithoutValidation(name, credential.HeaderValue);
        }
        else if (credential.QueryParameter is not null)
        {
            proxyRequest.Options.Set(CredentialQueryHandler.Key, credential);
        }

        proxyRequest.RequestUri = _destination;
    }

    public override async ValueTask<bool> TransformResponseAsync(HttpContext httpContext, HttpResponseMessage? proxyResponse, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        if (_captureLimit is not { } limit)
        {
            var copy = await base.TransformResponseAsync(httpContext, proxyResponse, cancellationToken).ConfigureAwait(false);
            httpContext.Response.Headers.Remove(HeaderNames.SetCookie);
            return copy;
        }

        if (proxyResponse is null)
        {
            return false;
        }

        try
        {
            var body = await ReadBoundedAsync(proxyResponse.Content, limit, cancellationToken).ConfigureAwait(false);
            if (body is null)
            {
                CaptureTooLarge = true;
                return false;
            }

            var headers = proxyResponse.Headers.NonValidated.Concat(proxyResponse.Content.Headers.NonValidated)
                .Where(h => !NotCaptured.Contains(h.Key))
                .Select(h => new HeaderValues(h.Key, [.. h.Value]))
                .ToList();
            Captured = new CachedResponse((int)proxyResponse.StatusCode, headers, body);
        }
        catch (Exception e) when (e is IOException or HttpRequestException or OperationCanceledException)
        {
            CaptureFailure = e;
        }

        // The caller writes the answer: YARP must not copy a body it no longer has.
        return false;
    }

    private static async Task<byte[]?> ReadBoundedAsync(HttpContent content, int limit, CancellationToken cancellationToken)
    {
        if (content.Headers.ContentLength > limit)
        {
            return null;
        }

        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new ArrayBufferWriter<byte>(4096);
            while (true)
            {
                var read = await stream.ReadAsync(buffer.GetMemory(4096), cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return buffer.WrittenSpan.ToArray();
                }

                buffer.Advance(read);
                if (buffer.WrittenCount > limit)
                {
                    return null;
                }
            }
        }
    }
}
