namespace Gateway.FakeOpenAiBackend.Model;

/// <summary>
/// The parts of a legacy <c>POST /v1/completions</c> body the fake uses. One choice is answered per
/// prompt, times <c>n</c>, as OpenAI does; <c>max_tokens</c> defaults to 16 here as it does there.
/// </summary>
internal sealed record CompletionRequest(string Model, IReadOnlyList<TextInput> Prompts, StreamRequest Stream, int MaxTokens, int N);
