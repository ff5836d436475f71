namespace Gateway.FakeOpenAiBackend.Infrastructure;

/// <summary>Settings of the fake OpenAI-compatible backend, section <c>FakeOpenAiBackend</c> (or the short switches of <see cref="Switches"/>).</summary>
internal sealed class FakeOpenAiBackendOptions
{
    public const string SectionName = "FakeOpenAiBackend";

    /// <summary>
    /// The key callers must present under <c>/v1</c> as <c>Authorization: Bearer {key}</c>; anything
    /// else gets OpenAI's 401. Default: none, and then every caller is accepted.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>
    /// The models served, comma-separated: listed by <c>GET /v1/models</c>, accepted by the other
    /// endpoints (any other name gets 404, except <c>fake-{behavior}</c> names). <c>*</c> accepts
    /// every name. Default: <c>gpt-4o-mini,gpt-4o,text-embedding-3-small</c>.
    /// </summary>
    public string Models { get; set; } = "gpt-4o-mini,gpt-4o,text-embedding-3-small";

    /// <summary>Pause between two events of a streamed answer, unless a behaviour says <c>chunk-delay:{ms}</c>. Default: 20 ms.</summary>
    public int ChunkDelayMs { get; set; } = 20;

    /// <summary><c>Retry-After</c> of an injected 429 that does not say (<c>429</c> rather than <c>429:{seconds}</c>). Default: 1 second.</summary>
    public int RetryAfterSeconds { get; set; } = 1;

    /// <summary>Length of the embedding vectors, unless a request asks for <c>dimensions</c>. Default: 64.</summary>
    public int EmbeddingDimensions { get; set; } = 64;

    /// <summary>How many requests <c>GET /_fake/requests</c> keeps (oldest dropped first). Default: 10,000.</summary>
    public int JournalCapacity { get; set; } = 10_000;

    public IReadOnlyList<string> ModelList => Models.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>Short command-line switches for the settings above, e.g. <c>--api-key sk-test --models a,b</c>.</summary>
    public static Dictionary<string, string> Switches() => new(StringComparer.Ordinal)
    {
        ["--api-key"] = $"{SectionName}:{nameof(ApiKey)}",
        ["--models"] = $"{SectionName}:{nameof(Models)}",
        ["--chunk-delay-ms"] = $"{SectionName}:{nameof(ChunkDelayMs)}",
        ["--retry-after-seconds"] = $"{SectionName}:{nameof(RetryAfterSeconds)}",
        ["--embedding-dimensions"] = $"{SectionName}:{nameof(EmbeddingDimensions)}",
    };

    public bool IsValid() =>
        ModelList.Count > 0 && ChunkDelayMs >= 0 && RetryAfterSeconds >= 0 && EmbeddingDimensions is >= 1 and <= 65_536 && JournalCapacity > 0;
}
