using System.Text.Json;

namespace Gateway.ProxyService.Services.Llm;

/// <summary>The token counts of an OpenAI <c>usage</c> object.</summary>
internal static class OpenAiUsage
{
    /// <summary>The counts of a whole answer's <c>usage</c>, when it has one (nulls when not, or not JSON).</summary>
    public static (long? Prompt, long? Completion) ReadAnswer(ReadOnlyMemory<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("usage", out var usage)
                ? Read(usage)
                : (null, null);
        }
        catch (JsonException)
        {
            // Not JSON: no usage to report; the answer still goes back as it came.
            return (null, null);
        }
    }

    /// <summary>The counts of a <c>usage</c> element (nulls when it is not an object, e.g. the <c>"usage": null</c> of a chunk).</summary>
    public static (long? Prompt, long? Completion) Read(JsonElement usage) =>
        usage.ValueKind == JsonValueKind.Object ? (Count(usage, "prompt_tokens"), Count(usage, "completion_tokens")) : (null, null);

    private static long? Count(JsonElement usage, string name) =>
        usage.TryGetProperty(name, out var value) && value.TryGetInt64(out var count) && count >= 0 ? count : null;
}
