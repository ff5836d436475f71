using System.Net;
using System.Text;
using System.Text.Json;

namespace Gateway.ServiceDefaults.Dapr;

/// <summary>An error answer of the sidecar: its status and, when the body is Dapr's <c>{"errorCode","message"}</c>, both fields.</summary>
internal sealed record SidecarError(HttpStatusCode StatusCode, string? ErrorCode, string? Message)
{
    // Dapr error bodies are a few hundred bytes; a callee's error page can be anything, so never
    // read more than this from a response we do not own.
    private const int MaxBodyBytes = 16 * 1024;
    private const int MaxTextLength = 256;

    /// <summary>
    /// Reads the error from <paramref name="response"/>. A body that is not a Dapr error is kept as
    /// the message only when <paramref name="keepPlainText"/> (the sidecar's own plain-text answers,
    /// such as <c>invalid api token</c>); a callee's body may hold data that must not travel further.
    /// </summary>
    public static async Task<SidecarError> ReadAsync(HttpResponseMessage response, bool keepPlainText, CancellationToken cancellationToken)
    {
        var body = await ReadPrefixAsync(response.Content, cancellationToken).ConfigureAwait(false);
        var (errorCode, message) = Parse(body);
        if (errorCode is null && keepPlainText && body.Length > 0)
        {
            var text = Encoding.UTF8.GetString(body).Trim();
            message = text.Length > MaxTextLength ? text[..MaxTextLength] : text;
        }

        return new SidecarError(response.StatusCode, errorCode, message);
    }

    /// <summary>
    /// Dapr's error code of <paramref name="response"/>, or null, leaving the body readable as it
    /// was. Only a JSON body of at most 16 KiB can be a Dapr error: a body of known length is
    /// buffered; a body of unknown length (chunked) has its first bytes read and is replaced by
    /// content that replays them before the rest, so a callee's large or streamed answer still
    /// reaches the caller whole.
    /// </summary>
    public static async Task<string?> PeekErrorCodeAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var content = response.Content;
        if (content.Headers.ContentLength is { } length)
        {
            return length is > 0 and <= MaxBodyBytes
                ? Parse(await ReadPrefixAsync(content, cancellationToken).ConfigureAwait(false)).ErrorCode
                : null;
        }

        if (!string.Equals(content.Headers.ContentType?.MediaType, "application/json", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        var buffer = new byte[MaxBodyBytes + 1];
        var read = await stream.ReadAtLeastAsync(buffer, buffer.Length, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
        HttpContent replay;
        if (read <= MaxBodyBytes)
        {
            await stream.DisposeAsync().ConfigureAwait(false);
            replay = new ByteArrayContent(buffer, 0, read);
        }
        else
        {
            replay = new StreamContent(new ReplayedPrefixStream(buffer, stream));
        }

        foreach (var header in content.Headers)
        {
            replay.Headers.TryAddWithoutValidation(header.Key, header.Value);
        }

        response.Content = replay;
        return read <= MaxBodyBytes ? Parse(buffer[..read]).ErrorCode : null;
    }

    public DaprApiException ToException(string what)
    {
        var detail = (ErrorCode, Message) switch
        {
            (null, null or "") => "",
            (null, _) => $": {Message}",
            (_, null or "") => $": {ErrorCode}",
            _ => $": {ErrorCode}: {Message}",
        };
        return new DaprApiException($"{what} failed with {(int)StatusCode}{detail}", StatusCode, ErrorCode);
    }

    private static async Task<byte[]> ReadPrefixAsync(HttpContent content, CancellationToken cancellationToken)
    {
        // Buffered content can be read again later; a stream can be read only once.
        if (content.Headers.ContentLength is <= MaxBodyBytes)
        {
            await content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
            return await content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
        }

        var stream = await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[MaxBodyBytes];
            var read = await stream.ReadAtLeastAsync(buffer, MaxBodyBytes, throwOnEndOfStream: false, cancellationToken).ConfigureAwait(false);
            return buffer[..read];
        }
    }

    private static (string? ErrorCode, string? Message) Parse(byte[] body)
    {
        if (body.Length == 0 || body[0] != (byte)'{')
        {
            return (null, null);
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            var code = root.TryGetProperty("errorCode", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
            var message = root.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
            return string.IsNullOrEmpty(code) ? (null, null) : (code, message);
        }
        catch (JsonException)
        {
            return (null, null);
        }
    }

    /// <summary>
    /// The 5xx answers that mean the store or sidecar hiccupped (worth another attempt of a call
    /// that is safe to repeat), as opposed to a store that is missing or cannot do the operation.
    /// </summary>
    internal static async ValueTask<bool> IsTransientStateFailure(HttpResponseMessage response, CancellationToken cancellationToken) =>
        (int)response.StatusCode switch
        {
            502 or 503 or 504 => true,
            500 => await PeekErrorCodeAsync(response, cancellationToken).ConfigureAwait(false) is not ("ERR_STATE_STORE_NOT_CONFIGURED" or "ERR_STATE_STORE_NOT_SUPPORTED"),
            _ => false,
        };
}
