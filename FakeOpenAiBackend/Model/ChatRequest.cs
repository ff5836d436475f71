namespace Gateway.FakeOpenAiBackend.Model;

/// <summary>
/// The parts of a <c>POST /v1/chat/completions</c> body the fake uses; everything else is accepted and
/// ignored. <see cref="MaxTokens"/>: <c>max_completion_tokens</c>, or the older <c>max_tokens</c>;
/// null for no limit. <see cref="N"/>: choices to answer, 1 by default.
/// </summary>
internal sealed record ChatRequest(string Model, IReadOnlyList<ChatMessage> Messages, StreamRequest Stream, int? MaxTokens, int N);

/// <summary>A message; its text is its string content, or the text parts of an array content joined, or empty for null content.</summary>
internal sealed record ChatMessage(string Role, string Text);
