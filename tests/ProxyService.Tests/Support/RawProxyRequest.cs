using System.Globalization;
using System.Text;
using System.Text.Json;
using Gateway.Testing;

namespace Gateway.ProxyService.Tests.Support;

/// <summary>How a raw request's body goes out.</summary>
public enum RawBody
{
    /// <summary>All of it at once, as written.</summary>
    Whole,

    /// <summary>The head and a few bytes of a longer Content-Length, then nothing.</summary>
    Stall,

    /// <summary>The head, then 4 KiB chunks, 11 MiB of them.</summary>
    ElevenMegabytes,
}

/// <summary>
/// Requests to the proxy written byte for byte (no client normalising the method, the target or
/// the headers), for the spellings, methods and broken bodies HttpClient would not send as written.
/// </summary>
internal static class RawProxyRequest
{
    /// <summary>
    /// The request line and headers, with <c>X-Fake-Run: {run}</c> (replaced by the caller) so the
    /// fake's journal can be asked. <paramref name="headers"/> are whole lines, CRLF-separated.
    /// </summary>
    public static string Head(string method, string target, string headers = "") =>
        $"{method} {target} HTTP/1.1\r\nHost: gateway\r\nConnection: close\r\nX-Fake-Run: {{run}}\r\n{(headers.Length > 0 ? headers + "\r\n" : "")}\r\n";

    /// <summary>A request with <paramref name="body"/> (characters up to U+00FF, sent as those bytes) and its Content-Length.</summary>
    public static string WithBody(string method, string target, string body, string headers = "") =>
        Head(method, target, $"Content-Type: application/json\r\nContent-Length: {Encoding.Latin1.GetByteCount(body).ToString(CultureInfo.InvariantCulture)}{(headers.Length > 0 ? "\r\n" + headers : "")}") + body;

    /// <summary>Sends <paramref name="request"/> over a fresh connection and reads the answer (within 30 s).</summary>
    public static async Task<RawResponse> SendRawAsync(this ProxyStack stack, string request, RawBody sending = RawBody.Whole)
    {
        await using var connection = await RawHttp.ConnectAsync(stack.ProxyPort);
        await connection.SendAsync(request);
        if (sending != RawBody.ElevenMegabytes)
        {
            return await connection.ReadResponseAsync(TimeSpan.FromSeconds(30));
        }

        return await connection.ReadResponseWhileSendingChunksAsync(limit: 11L * 1024 * 1024, TimeSpan.FromSeconds(30));
    }

    public static JsonElement Json(this RawResponse response) => JsonDocument.Parse(response.Body).RootElement.Clone();

    public static string? CallId(this RawResponse response) => response.Headers.TryGetValue("X-Proxy-Call-Id", out var id) ? id : null;
}
