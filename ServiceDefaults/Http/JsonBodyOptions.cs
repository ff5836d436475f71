using System.Text.Json;
using System.Text.Json.Serialization;

namespace Gateway.ServiceDefaults.Http;

/// <summary>How a <see cref="JsonBodyReader"/> reads request bodies.</summary>
public sealed class JsonBodyOptions
{
    /// <summary>The default of <see cref="MaxBytes"/>: 64 KiB.</summary>
    public const int DefaultMaxBytes = 64 * 1024;

    /// <summary>
    /// The largest body read, in bytes; a longer one is refused with
    /// <see cref="JsonBodyRefusalReason.TooLarge"/> as soon as it is known to be longer (from its
    /// Content-Length, or while reading), never read whole. Default: <see cref="DefaultMaxBytes"/>.
    /// At least 1.
    /// </summary>
    public int MaxBytes { get; init; } = DefaultMaxBytes;

    /// <summary>
    /// The options the body is deserialized with; their <see cref="JsonSerializerOptions.PropertyNameCaseInsensitive"/>
    /// also decides whether two names that differ only in case are the same field (refused when
    /// repeated), and their <see cref="JsonSerializerOptions.MaxDepth"/> bounds the nesting.
    /// Default: <see cref="StrictWeb"/>.
    /// </summary>
    public JsonSerializerOptions SerializerOptions { get; init; } = StrictWeb;

    /// <summary>
    /// True to refuse a body whose Content-Type is present and not JSON
    /// (<see cref="JsonBodyRefusalReason.NotJsonContentType"/>); a body without a Content-Type is
    /// always read as JSON. Default: true.
    /// </summary>
    public bool RequireJsonContentType { get; init; } = true;

    /// <summary>
    /// The web defaults (camelCase, names matched without regard to case) with numbers read only
    /// from JSON numbers (<see cref="JsonNumberHandling.Strict"/>: the web defaults would take
    /// <c>"100"</c> for 100). Read-only.
    /// </summary>
    public static JsonSerializerOptions StrictWeb { get; } = CreateStrictWeb();

    private static JsonSerializerOptions CreateStrictWeb()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web) { NumberHandling = JsonNumberHandling.Strict };
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
