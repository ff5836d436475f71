namespace Gateway.FakeOpenAiBackend.Model;

/// <summary>
/// The parts of a <c>POST /v1/embeddings</c> body the fake uses. <see cref="Base64"/>:
/// <c>encoding_format: "base64"</c>, each vector as little-endian float32 bytes in base64 (what the
/// OpenAI SDKs ask for by default). <see cref="Dimensions"/>: null for the configured default.
/// </summary>
internal sealed record EmbeddingRequest(string Model, IReadOnlyList<TextInput> Inputs, bool Base64, int? Dimensions);
