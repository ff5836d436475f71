using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.Unicode;
using Microsoft.AspNetCore.Http;

namespace Gateway.ServiceDefaults.Http;

/// <summary>
/// Reads a JSON request body with errors of our own: the framework's binding failures are bare
/// 400s without a stable problem type, and it would read bodies of any size.
/// </summary>
/// <remarks>
/// Text that two parsers could read two ways is refused rather than read one way: a body that a
/// proxy, a log or a second parser could read as another request (the last of two <c>amount</c>
/// fields winning silently, a lone surrogate, trailing content) would be acted on as this one.
/// So a name repeated in the same object (compared as the serializer binds names), invalid UTF-8,
/// an escape that decodes to no text and anything after the value are refused before the body
/// is deserialized. No refusal echoes the body or an exception's message (which can quote it):
/// see <see cref="JsonBodyRefusal"/>.
/// </remarks>
public sealed class JsonBodyReader
{
    private const int ChunkBytes = 4096;

    private readonly JsonBodyOptions _options;
    private readonly JsonReaderOptions _readerOptions;
    private readonly StringComparer _names;

    /// <exception cref="ArgumentOutOfRangeException"><see cref="JsonBodyOptions.MaxBytes"/> is below 1.</exception>
    public JsonBodyReader(JsonBodyOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(options.SerializerOptions, nameof(options.SerializerOptions));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxBytes, 1, nameof(options.MaxBytes));
        _options = options;
        var json = options.SerializerOptions;
        _readerOptions = new JsonReaderOptions { MaxDepth = json.MaxDepth, CommentHandling = json.ReadCommentHandling, AllowTrailingCommas = json.AllowTrailingCommas };
        _names = json.PropertyNameCaseInsensitive ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;
    }

    /// <summary>A reader with the defaults of <see cref="JsonBodyOptions"/>.</summary>
    public static JsonBodyReader Default { get; } = new(new JsonBodyOptions());

    /// <summary>
    /// The body as <typeparamref name="T"/>, or why it was refused (<see cref="JsonBodyRefusalReason"/>):
    /// checked in that order, so a body too large is refused before it is read whole.
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public async Task<JsonBodyResult<T>> ReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_options.RequireJsonContentType && request.ContentType is not null && !request.HasJsonContentType())
        {
            return Refuse<T>(JsonBodyRefusalReason.NotJsonContentType, JsonBodyRefusal.BodyField, "must be JSON (Content-Type: application/json)");
        }

        if (request.ContentLength > _options.MaxBytes || await ReadBoundedAsync(request, cancellationToken).ConfigureAwait(false) is not { } body)
        {
            return Refuse<T>(JsonBodyRefusalReason.TooLarge, JsonBodyRefusal.BodyField, string.Create(CultureInfo.InvariantCulture, $"must be at most {_options.MaxBytes} bytes"));
        }

        return Parse<T>(body.WrittenSpan);
    }

    /// <summary>The whole body, or null as soon as it is longer than the limit.</summary>
    private async Task<ArrayBufferWriter<byte>?> ReadBoundedAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        var max = _options.MaxBytes;
        var buffer = new ArrayBufferWriter<byte>((int)Math.Min(ChunkBytes, (long)max + 1));
        try
        {
            while (true)
            {
                // One byte past the limit is enough to know the body is too large; never more.
                var room = (int)Math.Min(ChunkBytes, (long)max + 1 - buffer.WrittenCount);
                var memory = buffer.GetMemory(room)[..room];
                var read = await request.Body.ReadAsync(memory, cancellationToken).ConfigureAwait(false);
                if (read == 0)
                {
                    return buffer;
                }

                buffer.Advance(read);
                if (buffer.WrittenCount > max)
                {
                    return null;
                }
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            // The server's own limit is below ours: the same answer.
            return null;
        }
    }

    private JsonBodyResult<T> Parse<T>(ReadOnlySpan<byte> body)
        where T : class
    {
        if (body.IsEmpty)
        {
            return Refuse<T>(JsonBodyRefusalReason.Empty, JsonBodyRefusal.BodyField, "is required: a JSON object");
        }

        if (!Utf8.IsValid(body))
        {
            return Refuse<T>(JsonBodyRefusalReason.Malformed, JsonBodyRefusal.BodyField, "is not valid JSON: it is not UTF-8 text");
        }

        var json = _options.SerializerOptions;
        if (Scan(body) is { } refusal)
        {
            return new JsonBodyResult<T>(refusal with { Field = refusal.Field == JsonBodyRefusal.BodyField ? refusal.Field : FieldOf<T>(refusal.Field, json) });
        }

        try
        {
            return JsonSerializer.Deserialize<T>(body, json) is { } value
                ? new JsonBodyResult<T>(value)
                : Refuse<T>(JsonBodyRefusalReason.Null, JsonBodyRefusal.BodyField, "must be a JSON object, not null");
        }
        catch (JsonException e)
        {
            // The syntax was checked above, so this is a value of the wrong JSON type. Only a rule
            // exception's message is ours; the serializer's may quote the body.
            var field = TopLevelName(e.Path) is { } name ? FieldOf<T>(name, json) : JsonBodyRefusal.BodyField;
            var message = e is JsonValueRuleException rule ? rule.Message
                : field == JsonBodyRefusal.BodyField ? "must be a JSON object with the fields of this request"
                : "has the wrong JSON type for this field";
            return Refuse<T>(JsonBodyRefusalReason.WrongShape, field, message);
        }
    }

    /// <summary>
    /// Reads the whole body once: a refusal for bad syntax (which wins) or, failing that, for the
    /// first name repeated in the same object (its <see cref="JsonBodyRefusal.Field"/> the name as
    /// sent for a top-level field, to be mapped, else <c>body</c>); null when neither.
    /// </summary>
    private JsonBodyRefusal? Scan(ReadOnlySpan<byte> body)
    {
        JsonBodyRefusal? duplicate = null;

        // The names seen in the open object at each depth; an object's names are one deeper than it.
        List<HashSet<string>> names = [];
        var reader = new Utf8JsonReader(body, _readerOptions);
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject:
                        var depth = reader.CurrentDepth;
                        if (names.Count <= depth)
                        {
                            names.AddRange(Enumerable.Range(0, depth + 1 - names.Count).Select(_ => new HashSet<string>(_names)));
                        }

                        names[depth].Clear();
                        break;
                    case JsonTokenType.PropertyName:
                        // GetString throws for an escape that decodes to no text (a lone surrogate).
                        var name = reader.GetString()!;
                        if (!names[reader.CurrentDepth - 1].Add(name))
                        {
                            duplicate ??= new JsonBodyRefusal(
                                JsonBodyRefusalReason.DuplicateField,
                                reader.CurrentDepth == 1 ? name : JsonBodyRefusal.BodyField,
                                "is given more than once; each field must appear once");
                        }

                        break;
                    case JsonTokenType.String when reader.ValueIsEscaped:
                        _ = reader.GetString();
                        break;
                }
            }
        }
        catch (JsonException e)
        {
            // Only the position: the reader's message quotes the offending bytes.
            return new JsonBodyRefusal(
                JsonBodyRefusalReason.Malformed,
                JsonBodyRefusal.BodyField,
                string.Create(CultureInfo.InvariantCulture, $"is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})"));
        }
        catch (InvalidOperationException)
        {
            return new JsonBodyRefusal(JsonBodyRefusalReason.Malformed, JsonBodyRefusal.BodyField, "is not valid JSON: a string or name is not valid text");
        }

        return duplicate;
    }

    /// <summary>
    /// <typeparamref name="T"/>'s own name of the property <paramref name="sent"/> binds to, or
    /// <c>body</c> when it binds to none: a name the client made up is never echoed.
    /// </summary>
    private string FieldOf<T>(string sent, JsonSerializerOptions json)
    {
        var type = json.GetTypeInfo(typeof(T));
        if (type.Kind == JsonTypeInfoKind.Object)
        {
            foreach (var property in type.Properties)
            {
                if (_names.Equals(property.Name, sent))
                {
                    return property.Name;
                }
            }
        }

        return JsonBodyRefusal.BodyField;
    }

    /// <summary>The top-level name a serializer path names (<c>amount</c> of <c>$.amount</c> or <c>$.amount.value</c>), or null.</summary>
    private static string? TopLevelName(string? path)
    {
        if (path is not ['$', '.', .. var rest])
        {
            return null;
        }

        var end = rest.AsSpan().IndexOfAny('.', '[');
        var name = end < 0 ? rest : rest[..end];
        return name.Length > 0 ? name : null;
    }

    private static JsonBodyResult<T> Refuse<T>(JsonBodyRefusalReason reason, string field, string message)
        where T : class => new(new JsonBodyRefusal(reason, field, message));
}
