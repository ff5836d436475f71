using System.Text.Json.Nodes;

namespace Gateway.ProxyService.Services.Llm;

/// <summary>
/// Token counts without a tokenizer, for the calls whose backend never said (a stream the client
/// cut off before the usage chunk, a backend that ignores <c>include_usage</c>): OpenAI's rule of
/// thumb of one token per four characters, rounded up, plus the framing its cookbook counts for chat
/// (3 per message, 3 to prime the reply). An estimate, recorded as the usage seen so far.
/// </summary>
internal static class TokenEstimate
{
    private const int CharactersPerToken = 4;
    private const int PerMessage = 3;
    private const int ReplyPriming = 3;

    /// <summary>Tokens of <paramref name="characters"/> characters of text.</summary>
    public static long OfCharacters(long characters) => (characters + CharactersPerToken - 1) / CharactersPerToken;

    /// <summary>
    /// The prompt of a chat (<c>messages</c>) or completion (<c>prompt</c>) request body, or null
    /// when it has neither in a known shape.
    /// </summary>
    public static long? OfPrompt(JsonObject body)
    {
        ArgumentNullException.ThrowIfNull(body);
        if (body["messages"] is JsonArray messages)
        {
            return messages.Sum(m => PerMessage + OfCharacters(m is JsonObject message ? TextLength(message["content"]) : 0)) + ReplyPriming;
        }

        return body["prompt"] switch
        {
            JsonValue text when text.TryGetValue<string>(out var prompt) => OfCharacters(prompt.Length),
            JsonArray prompts => prompts.Sum(PromptTokens),
            _ => null,
        };

        // One prompt of a list: a string, a token id, or an array of token ids.
        static long PromptTokens(JsonNode? prompt) => prompt switch
        {
            JsonValue text when text.TryGetValue<string>(out var value) => OfCharacters(value.Length),
            JsonValue => 1,
            JsonArray ids => ids.Count,
            _ => 0,
        };
    }

    /// <summary>Characters of a message content: a string, or the <c>text</c> of its parts.</summary>
    private static long TextLength(JsonNode? content) => content switch
    {
        JsonValue value when value.TryGetValue<string>(out var text) => text.Length,
        JsonArray parts => parts.Sum(p => p is JsonObject part && part["text"] is JsonValue text && text.TryGetValue<string>(out var value) ? value.Length : 0),
        _ => 0,
    };
}
