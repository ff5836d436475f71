namespace Gateway.FakeOpenAiBackend.Services;

/// <summary>
/// Token counts without a tokenizer: OpenAI's rule of thumb of one token per four characters,
/// rounded up, and for chat the framing its cookbook counts (3 per message, 3 to prime the reply).
/// Realistic in size, exact by construction, so tests can predict every <c>usage</c> the fake reports.
/// </summary>
internal static class TokenEstimate
{
    public const int CharactersPerToken = 4;

    public const int PerMessage = 3;

    public const int ReplyPriming = 3;

    public static int Of(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return (text.Length + CharactersPerToken - 1) / CharactersPerToken;
    }

    public static int OfChat(IEnumerable<string> messageTexts) =>
        messageTexts.Sum(text => PerMessage + Of(text)) + ReplyPriming;
}
