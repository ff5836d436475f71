using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization;
using Gateway.BillingService.Services;

namespace Gateway.BillingService.Apis;

/// <summary>
/// Reads a JSON request body with our own errors: the framework's binding failures are bare 400s
/// without a stable problem type, and would read bodies of any size.
/// </summary>
/// <remarks>
/// Money is read strictly: the web defaults would take <c>"100"</c> for the number 100, and the
/// last of two <c>amount</c> fields would win silently, so a body that a proxy, a log or a second
/// parser could read as another amount would be charged as this one. Numbers must be JSON numbers
/// (<see cref="JsonNumberHandling.Strict"/>), amounts integers (<see cref="MinorUnitsConverter"/>),
/// and no field may appear twice (compared without regard to case, as fields are bound).
/// </remarks>
internal static class JsonBody
{
    private const string Field = "body";

    private static readonly JsonSerializerOptions s_strict = new(JsonSerializerDefaults.Web) { NumberHandling = JsonNumberHandling.Strict };

    /// <summary>
    /// The body as <typeparamref name="T"/>, or the errors to answer 400 with: a Content-Type
    /// other than JSON (none is taken as JSON), more than <see cref="LedgerLimits.MaxBodyBytes"/>,
    /// malformed JSON, a field given twice, a JSON value of the wrong shape (named by its field), or
    /// <c>null</c>.
    /// </summary>
    public static async Task<(T? Value, Dictionary<string, string[]>? Errors)> TryReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentType is not null && !request.HasJsonContentType())
        {
            return Fail<T>(Field, "must be JSON (Content-Type: application/json)");
        }

        if (request.ContentLength > LedgerLimits.MaxBodyBytes)
        {
            return Fail<T>(Field, $"must be at most {LedgerLimits.MaxBodyBytes} bytes");
        }

        var buffer = new ArrayBufferWriter<byte>(Math.Min(4096, (int)(request.ContentLength ?? 4096) + 1));
        while (true)
        {
            var memory = buffer.GetMemory(4096);
            var read = await request.Body.ReadAsync(memory, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > LedgerLimits.MaxBodyBytes)
            {
                return Fail<T>(Field, $"must be at most {LedgerLimits.MaxBodyBytes} bytes");
            }
        }

        if (buffer.WrittenCount == 0)
        {
            return Fail<T>(Field, "is required: a JSON object");
        }

        if (!TryScan(buffer.WrittenSpan, out var duplicate, out var syntaxError))
        {
            // The message names the position, never the offending value.
            return Fail<T>(Field, "is not valid JSON: " + syntaxError);
        }

        if (duplicate is not null)
        {
            return Fail<T>(duplicate, "is given more than once; each field must appear once");
        }

        try
        {
            return JsonSerializer.Deserialize<T>(buffer.WrittenSpan, s_strict) is { } value ? (value, null) : Fail<T>(Field, "must be a JSON object, not null");
        }
        catch (JsonException e)
        {
            // The syntax was checked above, so this is a value of the wrong JSON type.
            return FieldOf(e.Path) is { } field
                ? Fail<T>(field, e is MinorUnitsConverter.NotMinorUnitsException ? e.Message : "has the wrong JSON type for this field")
                : Fail<T>(Field, "must be a JSON object with the fields of this request");
        }
    }

    /// <summary>
    /// Reads the whole body once: false with the reader's message when it is not JSON; otherwise the
    /// first top-level field that repeats an earlier one (without regard to case), or null.
    /// </summary>
    private static bool TryScan(ReadOnlySpan<byte> body, out string? duplicate, out string? syntaxError)
    {
        duplicate = null;
        syntaxError = null;
        HashSet<string> names = new(StringComparer.OrdinalIgnoreCase);
        var reader = new Utf8JsonReader(body);
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1)
                {
                    var name = reader.GetString()!;
                    if (!names.Add(name))
                    {
                        duplicate ??= name;
                    }
                }
            }
        }
        catch (JsonException e)
        {
            syntaxError = e.Message;
            return false;
        }
        catch (InvalidOperationException)
        {
            // A property name whose escapes decode to no text (a lone surrogate).
            syntaxError = "a property name is not valid text";
            return false;
        }

        return true;
    }

    /// <summary>The top-level field a serializer path such as <c>$.amount</c> names, or null.</summary>
    private static string? FieldOf(string? path) =>
        path is ['$', '.', .. var rest] && rest.Length > 0 && !rest.AsSpan().ContainsAny('.', '[') ? rest : null;

    private static (T? Value, Dictionary<string, string[]> Errors) Fail<T>(string field, string message)
        where T : class => (null, new Dictionary<string, string[]>(StringComparer.Ordinal) { [field] = [message] });
}
