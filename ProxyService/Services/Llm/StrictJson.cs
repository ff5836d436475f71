using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Unicode;

namespace Gateway.ProxyService.Services.Llm;

/// <summary>
/// A client's JSON body read strictly, as a JSON object: text that two parsers could read two ways
/// is refused instead of being passed on to a backend that may read it the other way. Refused:
/// anything but one JSON object, invalid UTF-8, a string escape that is no Unicode text (a lone
/// surrogate), a property name repeated in the same object at any depth, anything after the value,
/// nesting deeper than <see cref="MaxDepth"/>. Never says which byte was wrong: the refusal must
/// not echo the client's content.
/// </summary>
internal static class StrictJson
{
    /// <summary>The deepest nesting accepted.</summary>
    public const int MaxDepth = 64;

    private static readonly JsonDocumentOptions Options = new() { MaxDepth = MaxDepth, AllowDuplicateProperties = false };

    /// <summary>The body as a JSON object, or null when it is not one by the rules above.</summary>
    public static bool TryParseObject(ReadOnlySpan<byte> body, [NotNullWhen(true)] out JsonObject? json)
    {
        json = null;

        // The reader checks the grammar but not the bytes inside strings, nor what an escape decodes to.
        if (!Utf8.IsValid(body) || !EscapesAreText(body))
        {
            return false;
        }

        try
        {
            json = JsonNode.Parse(body, documentOptions: Options) as JsonObject;
        }
        catch (JsonException)
        {
            return false;
        }

        return json is not null;
    }

    /// <summary>False when the body is no JSON at all, or a string or name escapes a lone surrogate.</summary>
    private static bool EscapesAreText(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = MaxDepth });
        try
        {
            while (reader.Read())
            {
                if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && reader.ValueIsEscaped)
                {
                    _ = reader.GetString();
                }
            }
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            return false;
        }

        return true;
    }
}
