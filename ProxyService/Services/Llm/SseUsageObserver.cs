using System.Buffers;
using System.Text.Json;

namespace Gateway.ProxyService.Services.Llm;

/// <summary>
/// The client's response body, watched on its way out: every byte is written and flushed through
/// at once (nothing is buffered for the client), while complete <c>data:</c> lines of the event
/// stream are read for a <c>usage</c> object (the last chunk when <c>include_usage</c> was asked for).
/// </summary>
internal sealed class SseUsageObserver(Stream inner) : Stream
{
    /// <summary>Longest line kept while looking for its end; a longer one is skipped (usage chunks are small).</summary>
    private const int MaxLine = 64 * 1024;

    private readonly ArrayBufferWriter<byte> _line = new(1024);
    private bool _skipping;

    public long? PromptTokens { get; private set; }

    public long? CompletionTokens { get; private set; }

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush() => inner.Flush();

    public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count)
    {
        inner.Write(buffer, offset, count);
        Observe(buffer.AsSpan(offset, count));
    }

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
        Observe(buffer.Span);
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    private void Observe(ReadOnlySpan<byte> bytes)
    {
        while (!bytes.IsEmpty)
        {
            var end = bytes.IndexOf((byte)'\n');
            var part = end < 0 ? bytes : bytes[..end];
            if (!_skipping)
            {
                if (_line.WrittenCount + part.Length > MaxLine)
                {
                    _skipping = true;
                    _line.Clear();
                }
                else
                {
                    _line.Write(part);
                }
            }

            if (end < 0)
            {
                return;
            }

            if (!_skipping)
            {
                ReadLine(_line.WrittenSpan);
            }

            _line.Clear();
            _skipping = false;
            bytes = bytes[(end + 1)..];
        }
    }

    private void ReadLine(ReadOnlySpan<byte> line)
    {
        line = line.TrimEnd((byte)'\r');
        if (!line.StartsWith("data:"u8) || line.IndexOf("\"usage\""u8) < 0)
        {
            return;
        }

        var (prompt, completion) = LlmRouter.ReadUsage(line["data:"u8.Length..].TrimStart((byte)' ').ToArray());
        if (prompt is not null || completion is not null)
        {
            (PromptTokens, CompletionTokens) = (prompt, completion);
        }
    }
}
