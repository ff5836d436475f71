using System.Text.Json;
using Gateway.LocalSidecar.State;

namespace Gateway.LocalSidecar.Api;

/// <summary>
/// Reads the state API's request bodies the way daprd's Go decoder does: loosely typed, the value
/// re-encoded (see <see cref="GoJson"/>), errors as values.
/// </summary>
internal static class StateRequests
{
    public static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 1000 };

    /// <summary>One item of a save request or one upsert/delete request inside a transaction.</summary>
    public static StateEntry ReadItem(JsonElement element)
    {
        if (element.ValueKind != JsonValueKind.Object)
        {
            throw new JsonException($"json: cannot unmarshal {GoKind(element)} into Go value of type state.SetRequest");
        }

        var key = "";
        var value = "null"u8.ToArray();
        string? etag = null;
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        string concurrency = "", consistency = "";
        foreach (var property in element.EnumerateObject())
        {
            switch (property.Name.ToLowerInvariant())
            {
                case "key":
                    key = ReadString(property, "key");
                    break;
                case "value":
                    value = GoJson.Encode(property.Value);
                    break;
                case "etag":
                    etag = property.Value.ValueKind == JsonValueKind.Null ? null : ReadString(property, "etag");
                    break;
                case "metadata" when property.Value.ValueKind == JsonValueKind.Object:
                    foreach (var entry in property.Value.EnumerateObject())
                    {
                        metadata[entry.Name] = ReadString(entry, "metadata");
                    }

                    break;
                case "options" when property.Value.ValueKind == JsonValueKind.Object:
                    foreach (var option in property.Value.EnumerateObject())
                    {
                        if (option.NameEquals("concurrency"))
                        {
                            concurrency = ReadString(option, "concurrency");
                        }
                        else if (option.NameEquals("consistency"))
                        {
                            consistency = ReadString(option, "consistency");
                        }
                    }

                    break;
            }
        }

        // A request with an empty etag has no etag (components-contrib's HasETag).
        return new StateEntry(key, value, string.IsNullOrEmpty(etag) ? null : etag, metadata, concurrency, consistency);
    }

    private static string ReadString(JsonProperty property, string field) =>
        property.Value.ValueKind == JsonValueKind.String
            ? property.Value.GetString()!
            : throw new JsonException($"json: cannot unmarshal {GoKind(property.Value)} into Go struct field .{field} of type string");

    private static string GoKind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "bool",
        _ => "null",
    };

    /// <summary>The <c>metadata.*</c> query parameters of a request.</summary>
    public static Dictionary<string, string> QueryMetadata(HttpRequest request)
    {
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (name, values) in request.Query)
        {
            if (name.StartsWith("metadata.", StringComparison.Ordinal))
            {
                metadata[name["metadata.".Length..]] = values.ToString();
            }
        }

        return metadata;
    }

    /// <summary><paramref name="metadata"/> with <paramref name="overrides"/> copied over it.</summary>
    public static IReadOnlyDictionary<string, string> Merge(IReadOnlyDictionary<string, string> metadata, IReadOnlyDictionary<string, string> overrides)
    {
        var merged = new Dictionary<string, string>(metadata, StringComparer.Ordinal);
        foreach (var (name, value) in overrides)
        {
            merged[name] = value;
        }

        return merged;
    }
}
