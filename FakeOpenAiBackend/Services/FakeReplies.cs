using Gateway.FakeOpenAiBackend.Model;

namespace Gateway.FakeOpenAiBackend.Services;

/// <summary>
/// What the fake answers: <c>You said: {prompt}</c> for the last user message (or each prompt),
/// cut at the token limit, with usage from <see cref="TokenEstimate"/>. Same request, same text and usage.
/// </summary>
internal static class FakeReplies
{
    public const string Prefix = "You said: ";

    public const string EmptyPromptReply = "This is a fake answer.";

    public static string For(string prompt) => prompt.Length == 0 ? EmptyPromptReply : Prefix + prompt;

    public static FakeAnswer Chat(ChatRequest request, string id, long created)
    {
        ArgumentNullException.ThrowIfNull(request);
        var lastUser = request.Messages.LastOrDefault(m => m.Role == "user")?.Text ?? "";
        AnswerChoice[] choices = [.. Enumerable.Range(0, request.N).Select(i => Choice(i, For(lastUser), request.MaxTokens))];
        var usage = new TokenUsage(TokenEstimate.OfChat(request.Messages.Select(m => m.Text)), choices.Sum(c => TokenEstimate.Of(c.Text)));
        return new FakeAnswer(id, request.Model, created, choices, usage);
    }

    public static FakeAnswer Completion(CompletionRequest request, string id, long created)
    {
        ArgumentNullException.ThrowIfNull(request);
        AnswerChoice[] choices =
        [
            .. request.Prompts.SelectMany((prompt, p) => Enumerable.Range(0, request.N).Select(i => Choice((p * request.N) + i, For(prompt.Text), request.MaxTokens))),
        ];
        var usage = new TokenUsage(request.Prompts.Sum(p => p.Tokens), choices.Sum(c => TokenEstimate.Of(c.Text)));
        return new FakeAnswer(id, request.Model, created, choices, usage);
    }

    /// <summary>
    /// The pieces a streamed text arrives in: words, each with the space before it, as real
    /// tokenizers split them (<c>"You"</c>, <c>" said:"</c>, ...). Joined, they are the text.
    /// </summary>
    public static IEnumerable<string> Pieces(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var start = 0;
        for (var i = 1; i < text.Length; i++)
        {
            if (text[i] == ' ' && text[i - 1] != ' ')
            {
                yield return text[start..i];
                start = i;
            }
        }

        if (start < text.Length)
        {
            yield return text[start..];
        }
    }

    private static AnswerChoice Choice(int index, string text, int? maxTokens) =>
        maxTokens is { } limit && TokenEstimate.Of(text) > limit
            ? new AnswerChoice(index, text[..(limit * TokenEstimate.CharactersPerToken)], "length")
            : new AnswerChoice(index, text, "stop");
}
