namespace Gateway.FakeOpenAiBackend.Model;

/// <summary><c>stream</c> and <c>stream_options.include_usage</c>.</summary>
internal sealed record StreamRequest(bool Enabled, bool IncludeUsage)
{
    public static StreamRequest Off { get; } = new(false, false);
}
