using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Gateway.Testing;

/// <summary>
/// HTTP/1.1 over a bare socket, for the requests HttpClient refuses to send: malformed chunks,
/// bodies that stall or never end, odd methods, raw header bytes. The answer is read until its
/// Content-Length (or the last chunk, or the server closing the connection).
/// </summary>
public sealed class RawHttp : IAsyncDisposable
{
    private readonly TcpClient _client;
    private readonly NetworkStream _stream;

    private RawHttp(TcpClient client)
    {
        _client = client;
        _stream = client.GetStream();
    }

    public static async Task<RawHttp> ConnectAsync(int port)
    {
        var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port).ConfigureAwait(false);
        return new RawHttp(client);
    }

    /// <summary>Sends <paramref name="text"/> as Latin-1 bytes, exactly as written (use \r\n).</summary>
    public Task SendAsync(string text) => SendAsync(Encoding.Latin1.GetBytes(text));

    public async Task SendAsync(ReadOnlyMemory<byte> bytes)
    {
        await _stream.WriteAsync(bytes).ConfigureAwait(false);
        await _stream.FlushAsync().ConfigureAwait(false);
    }

    /// <summary>
    /// Sends 4 KiB chunks of a chunked body that never ends, until the server stops reading
    /// (true) or <paramref name="limit"/> bytes went out (false).
    /// </summary>
    public async Task<bool> SendEndlessChunksAsync(long limit, CancellationToken cancellationToken)
    {
        var piece = Encoding.ASCII.GetBytes($"1000\r\n{new string('x', 0x1000)}\r\n");
        for (long sent = 0; sent < limit && !cancellationToken.IsCancellationRequested; sent += 0x1000)
        {
            try
            {
                await _stream.WriteAsync(piece, cancellationToken).ConfigureAwait(false);
            }
            catch (IOException)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// Sends chunks (<see cref="SendEndlessChunksAsync"/>, up to <paramref name="limit"/> bytes) while it
    /// reads the response, which a server may send before the body ends (413, 408); then stops sending.
    /// </summary>
    public async Task<RawResponse> ReadResponseWhileSendingChunksAsync(long limit, TimeSpan timeout)
    {
        using var stop = new CancellationTokenSource(timeout);
        var sent = SendEndlessChunksAsync(limit, stop.Token);
        var response = await ReadResponseAsync(timeout).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await sent.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Stopped here while a write waited on a server that no longer reads: what the answer said.
        }

        return response;
    }

    /// <summary>Reads one response; waits at most <paramref name="timeout"/> for it.</summary>
    public async Task<RawResponse> ReadResponseAsync(TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        var buffer = new List<byte>();
        var chunk = new byte[8192];
        int headerEnd;
        while ((headerEnd = IndexOf(buffer, "\r\n\r\n"u8)) < 0)
        {
            if (!await ReadMoreAsync(buffer, chunk, cancel.Token).ConfigureAwait(false))
            {
                throw new IOException($"The connection closed before a complete response head: '{Encoding.Latin1.GetString([.. buffer])}'");
            }
        }

        var head = Encoding.Latin1.GetString(buffer.GetRange(0, headerEnd).ToArray()).Split("\r\n");
        var status = int.Parse(head[0].Split(' ')[1], CultureInfo.InvariantCulture);
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var line in head.Skip(1))
        {
            var colon = line.IndexOf(':', StringComparison.Ordinal);
            headers[line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }

        var body = buffer.GetRange(headerEnd + 4, buffer.Count - headerEnd - 4);
        if (headers.TryGetValue("Content-Length", out var length))
        {
            var expected = int.Parse(length, CultureInfo.InvariantCulture);
            while (body.Count < expected && await ReadMoreAsync(body, chunk, cancel.Token).ConfigureAwait(false))
            {
            }
        }
        else if (headers.TryGetValue("Transfer-Encoding", out var encoding) && encoding.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            while (IndexOf(body, "0\r\n\r\n"u8) < 0 && await ReadMoreAsync(body, chunk, cancel.Token).ConfigureAwait(false))
            {
            }

            body = Unchunk(body);
        }
        else if (status is not (204 or 304))
        {
            while (await ReadMoreAsync(body, chunk, cancel.Token).ConfigureAwait(false))
            {
            }
        }

        return new RawResponse(status, headers, Encoding.UTF8.GetString([.. body]));
    }

    private async Task<bool> ReadMoreAsync(List<byte> into, byte[] chunk, CancellationToken cancellationToken)
    {
        int read;
        try
        {
            read = await _stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException)
        {
            return false;
        }

        into.AddRange(chunk.AsSpan(0, read));
        return read > 0;
    }

    private static List<byte> Unchunk(List<byte> chunked)
    {
        var data = new List<byte>();
        var at = 0;
        while (true)
        {
            var lineEnd = IndexOf(chunked, "\r\n"u8, at);
            if (lineEnd < 0)
            {
                return data;
            }

            var size = int.Parse(Encoding.ASCII.GetString(chunked.GetRange(at, lineEnd - at).ToArray()).Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (size == 0)
            {
                return data;
            }

            data.AddRange(chunked.GetRange(lineEnd + 2, size));
            at = lineEnd + 2 + size + 2;
        }
    }

    private static int IndexOf(List<byte> haystack, ReadOnlySpan<byte> needle, int from = 0) =>
        CollectionsMarshalSpan(haystack)[from..].IndexOf(needle) is var i and >= 0 ? i + from : -1;

    private static ReadOnlySpan<byte> CollectionsMarshalSpan(List<byte> list) => System.Runtime.InteropServices.CollectionsMarshal.AsSpan(list);

    public async ValueTask DisposeAsync()
    {
        await _stream.DisposeAsync().ConfigureAwait(false);
        _client.Dispose();
    }
}

/// <summary>A response read by <see cref="RawHttp"/>.</summary>
public sealed record RawResponse(int Status, IReadOnlyDictionary<string, string> Headers, string Body)
{
    public string? ContentType => Headers.TryGetValue("Content-Type", out var value) ? value : null;
}
