using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.FakeOpenAiBackend.Services;

namespace Gateway.FakeOpenAiBackend.Model;

/// <summary>
/// OpenAI's response bodies, written as the JSON they are on the wire (field for field, nulls
/// included where OpenAI sends them), so this file reads like the API reference it imitates.
/// </summary>
internal static class OpenAiWire
{
    public const string SystemFingerprint = "fp_fake";

    public const string OwnedBy = "fake-openai-backend";

    // A fixed date keeps the model list byte-for-byte the same across runs.
    public const long ModelsCreated = 1_700_000_000;

    // OpenAI writes quotes and backticks as they are; the default encoder's \u0027 and \u0060 are
    // valid JSON but would make the fake's text differ from the real thing for no reason.
    private static readonly JsonSerializerOptions WireOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static string Serialize(JsonNode node)
    {
        ArgumentNullException.ThrowIfNull(node);
        return node.ToJsonString(WireOptions);
    }

    public static JsonObject Model(string id) => new()
    {
        ["id"] = id,
        ["object"] = "model",
        ["created"] = ModelsCreated,
        ["owned_by"] = OwnedBy,
    };

    public static JsonObject ModelList(IEnumerable<string> ids) => new()
    {
        ["object"] = "list",
        ["data"] = Array(ids.Select(Model)),
    };

    public static JsonObject ChatCompletion(FakeAnswer answer) => new()
    {
        ["id"] = answer.Id,
        ["object"] = "chat.completion",
        ["created"] = answer.Created,
        ["model"] = answer.Model,
        ["choices"] = Array(answer.Choices.Select(c => new JsonObject
        {
            ["index"] = c.Index,
            ["message"] = new JsonObject { ["role"] = "assistant", ["content"] = c.Text, ["refusal"] = null },
            ["logprobs"] = null,
            ["finish_reason"] = c.FinishReason,
        })),
        ["usage"] = Usage(answer.Usage),
        ["system_fingerprint"] = SystemFingerprint,
    };

    /// <summary>
    /// The events of a streamed chat answer: per choice a first delta with the role, one per piece
    /// of text, one with the finish reason and an empty delta; then, if asked, the usage with no choices.
    /// </summary>
    public static IEnumerable<JsonObject> ChatChunks(FakeAnswer answer, bool includeUsage)
    {
        ArgumentNullException.ThrowIfNull(answer);
        foreach (var choice in answer.Choices)
        {
            yield return ChatChunk(answer, choice.Index, new JsonObject { ["role"] = "assistant", ["content"] = "" }, null);
            foreach (var piece in FakeReplies.Pieces(choice.Text))
            {
                yield return ChatChunk(answer, choice.Index, new JsonObject { ["content"] = piece }, null);
            }

            yield return ChatChunk(answer, choice.Index, [], choice.FinishReason);
        }

        if (includeUsage)
        {
            yield return UsageChunk(answer, "chat.completion.chunk");
        }
    }

    public static JsonObject TextCompletion(FakeAnswer answer) => new()
    {
        ["id"] = answer.Id,
        ["object"] = "text_completion",
        ["created"] = answer.Created,
        ["model"] = answer.Model,
        ["choices"] = Array(answer.Choices.Select(c => TextChoice(c.Index, c.Text, c.FinishReason))),
        ["usage"] = Usage(answer.Usage),
        ["system_fingerprint"] = SystemFingerprint,
    };

    /// <summary>The events of a streamed text completion: per choice one per piece, then one with the finish reason; then the usage if asked.</summary>
    public static IEnumerable<JsonObject> TextCompletionChunks(FakeAnswer answer, bool includeUsage)
    {
        ArgumentNullException.ThrowIfNull(answer);
        foreach (var choice in answer.Choices)
        {
            foreach (var piece in FakeReplies.Pieces(choice.Text))
            {
                yield return Envelope(answer, "text_completion", TextChoice(choice.Index, piece, null));
            }

            yield return Envelope(answer, "text_completion", TextChoice(choice.Index, "", choice.FinishReason));
        }

        if (includeUsage)
        {
            yield return UsageChunk(answer, "text_completion");
        }
    }

    /// <summary>The embeddings, one per input: the vector as a float array, or (base64) as a string.</summary>
    public static JsonObject EmbeddingList(string model, IEnumerable<JsonNode> embeddings, int promptTokens) => new()
    {
        ["object"] = "list",
        ["data"] = Array(embeddings.Select((embedding, index) => new JsonObject
        {
            ["object"] = "embedding",
            ["index"] = index,
            ["embedding"] = embedding,
        })),
        ["model"] = model,
        ["usage"] = new JsonObject { ["prompt_tokens"] = promptTokens, ["total_tokens"] = promptTokens },
    };

    public static JsonObject Usage(TokenUsage usage) => new()
    {
        ["prompt_tokens"] = usage.PromptTokens,
        ["completion_tokens"] = usage.CompletionTokens,
        ["total_tokens"] = usage.TotalTokens,
    };

    private static JsonObject ChatChunk(FakeAnswer answer, int index, JsonObject delta, string? finishReason) =>
        Envelope(answer, "chat.completion.chunk", new JsonObject
        {
            ["index"] = index,
            ["delta"] = delta,
            ["logprobs"] = null,
            ["finish_reason"] = finishReason,
        });

    private static JsonObject TextChoice(int index, string text, string? finishReason) => new()
    {
        ["text"] = text,
        ["index"] = index,
        ["logprobs"] = null,
        ["finish_reason"] = finishReason,
    };

    private static JsonObject Envelope(FakeAnswer answer, string type, JsonObject choice) => new()
    {
        ["id"] = answer.Id,
        ["object"] = type,
        ["created"] = answer.Created,
        ["model"] = answer.Model,
        ["system_fingerprint"] = SystemFingerprint,
        ["choices"] = new JsonArray(choice),
    };

    // OpenAI's final usage event: the same envelope, no choices, the usage of the whole answer.
    private static JsonObject UsageChunk(FakeAnswer answer, string type) => new()
    {
        ["id"] = answer.Id,
        ["object"] = type,
        ["created"] = answer.Created,
        ["model"] = answer.Model,
        ["system_fingerprint"] = SystemFingerprint,
        ["choices"] = new JsonArray(),
        ["usage"] = Usage(answer.Usage),
    };

    private static JsonArray Array(IEnumerable<JsonNode> items) => [.. items];
}
