namespace Gateway.FakeOpenAiBackend.Model;

/// <summary>An answer before it takes the shape of an endpoint: chat or text completion, whole or streamed.</summary>
internal sealed record FakeAnswer(string Id, string Model, long Created, IReadOnlyList<AnswerChoice> Choices, TokenUsage Usage);

/// <summary>One choice; its finish reason is <c>stop</c>, or <c>length</c> when the token limit cut the text.</summary>
internal sealed record AnswerChoice(int Index, string Text, string FinishReason);

internal sealed record TokenUsage(int PromptTokens, int CompletionTokens)
{
    public int TotalTokens => PromptTokens + CompletionTokens;
}
