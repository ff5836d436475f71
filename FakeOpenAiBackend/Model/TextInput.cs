namespace Gateway.FakeOpenAiBackend.Model;

/// <summary>One prompt or embedding input: a string, or an array of token ids (then <see cref="Text"/> lists them, space-separated).</summary>
internal sealed record TextInput(string Text, int Tokens);
