using System.Buffers;
using System.Text.Json;

namespace Gateway.ProxyService.Services.Llm;

/// <summary>
/// The client's response body for a streamed answer, read on its way out. Every complete line of
/// the event stream goes to the client and is flushed as soon as it arrives (an event is only
/// usable once its line ends, so nothing waits longer than the backend makes it); the rest of a
/// line is held until its end. On the way, each <c>data:</c> chunk is read for its <c>usage</c>
/// (the last chunk, since the gateway asks for <c>include_usage</c>) and for the text it carries,
/// so a stream cut before its usage chunk can still be reported with the tokens seen so far.
/// The usage chunk is dropped when the client did not ask for it (it never expected a chunk
/// without choices).
/// </summary>
internal sealed class SseUsageObserver(Stream inner, bool forwardUsageChunk) : Stream
{
    /// <summary>Longest line held while waiting for its end; a longer one goes through unread (usage chunks are small).</summary>
    private const int MaxLine = 64 * 1024;

    private readonly ArrayBufferWriter<byte> _held = new(1024);

    /// <summary>Inside a line longer than <see cref="MaxLine"/>: written through, not read.</summary>
    private bool _passing;

    /// <summary>The previous line was a dropped usage chunk: its blank separator goes too.</summary>
    private bool _dropBlank;

    /// <summary>The prompt tokens of the usage chunk, once one was seen.</summary>
    public long? PromptTokens { get; private set; }

    /// <summary>The completion tokens of the usage chunk, once one was seen.</summary>
    public long? CompletionTokens { get; private set; }

    /// <summary>Characters of generated text (content, refusal, completion text, tool-call arguments) in the chunks seen.</summary>
    public long CompletionCharacters { get; private set; }

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

    public override void Write(byte[] buffer, int offset, int count) =>
        WriteAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        // [pending, position): complete lines read and kept, not yet written.
        var (pending, position) = (0, 0);
        while (position < buffer.Length)
        {
            var newline = buffer.Span[position..].IndexOf((byte)'\n');
            if (newline < 0)
            {
                break;
            }

            var end = position + newline + 1;
            if (_passing)
            {
                _passing = false;
            }
            else if (_held.WrittenCount > 0)
            {
                _held.Write(buffer.Span[position..end]);
                if (Keep(_held.WrittenMemory))
                {
                    await inner.WriteAsync(_held.WrittenMemory, cancellationToken).ConfigureAwait(false);
                }

                _held.Clear();
                pending = end;
            }
            else if (!Keep(buffer[position..end]))
            {
                await WriteRangeAsync(buffer, pending, position, cancellationToken).ConfigureAwait(false);
                pending = end;
            }

            position = end;
        }

        if (_passing)
        {
            await WriteRangeAsync(buffer, pending, buffer.Length, cancellationToken).ConfigureAwait(false);
            return;
        }

        await WriteRangeAsync(buffer, pending, position, cancellationToken).ConfigureAwait(false);
        var rest = buffer[position..];
        if (_held.WrittenCount + rest.Length <= MaxLine)
        {
            _held.Write(rest.Span);
            return;
        }

        // Too long to be a chunk worth reading: what is held and the rest go through as they are.
        await inner.WriteAsync(_held.WrittenMemory, cancellationToken).ConfigureAwait(false);
        await inner.WriteAsync(rest, cancellationToken).ConfigureAwait(false);
        _held.Clear();
        _passing = true;
    }

    /// <summary>Writes (and reads) a last line the backend did not end, if any: the stream is over.</summary>
    public async Task FinishAsync(CancellationToken cancellationToken)
    {
        if (_held.WrittenCount > 0 && Keep(_held.WrittenMemory))
        {
            await inner.WriteAsync(_held.WrittenMemory, cancellationToken).ConfigureAwait(false);
            await inner.FlushAsync(cancellationToken).ConfigureAwait(false);
        }

        _held.Clear();
    }

    private async ValueTask WriteRangeAsync(ReadOnlyMemory<byte> buffer, int from, int to, CancellationToken cancellationToken)
    {
        if (to > from)
        {
            await inner.WriteAsync(buffer[from..to], cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Reads one line (with its line ending); false when it must not reach the client.</summary>
    private bool Keep(ReadOnlyMemory<byte> line)
    {
        var text = line.Span.TrimEnd("\r\n"u8);
        if (_dropBlank)
        {
            _dropBlank = false;
            if (text.IsEmpty)
            {
                return false;
            }
        }

        if (!text.StartsWith("data:"u8))
        {
            return true;
        }

        var start = "data:"u8.Length;
        while (start < text.Length && text[start] == (byte)' ')
        {
            start++;
        }

        if (start == text.Length || text[start] != (byte)'{')
        {
            return true;
        }

        try
        {
            using var chunk = JsonDocument.Parse(line[start..text.Length]);
            var root = chunk.RootElement;
            var hasChoices = root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array && choices.GetArrayLength() > 0;
            if (hasChoices)
            {
                CompletionCharacters += GeneratedCharacters(choices);
            }

            var (prompt, completion) = root.TryGetProperty("usage", out var usage) ? OpenAiUsage.Read(usage) : (null, null);
            if (prompt is null && completion is null)
            {
                return true;
            }

            (PromptTokens, CompletionTokens) = (prompt, completion);
            if (forwardUsageChunk || hasChoices)
            {
                return true;
            }

            _dropBlank = true;
            return false;
        }
        catch (JsonException)
        {
            // Not a chunk the gateway understands: it goes to the client as it came.
            return true;
        }
    }

    /// <summary>The generated text in a chunk's choices: chat deltas (content, refusal, tool-call arguments) or completion text.</summary>
    private static long GeneratedCharacters(JsonElement choices)
    {
        long characters = 0;
        foreach (var choice in choices.EnumerateArray())
        {
            if (choice.ValueKind != JsonValueKind.Object)
            {
                continue;
            }

            characters += Length(choice, "text");
            if (choice.TryGetProperty("delta", out var delta) && delta.ValueKind == JsonValueKind.Object)
            {
                characters += Length(delta, "content") + Length(delta, "refusal");
                if (delta.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array)
                {
                    foreach (var call in calls.EnumerateArray())
                    {
                        if (call.ValueKind == JsonValueKind.Object && call.TryGetProperty("function", out var function) && function.ValueKind == JsonValueKind.Object)
                        {
                            characters += Length(function, "arguments");
                        }
                    }
                }
            }
        }

        return characters;

        static long Length(JsonElement element, string name) =>
            element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString()!.Length : 0;
    }
}
