namespace Gateway.FakeTaskProvider.Infrastructure;

/// <summary>Settings of the fake provider, section <c>FakeTaskProvider</c>.</summary>
internal sealed class FakeProviderOptions
{
    public const string SectionName = "FakeTaskProvider";

    /// <summary>
    /// The key callers must present under <c>/v1</c>, as <c>Authorization: Bearer {key}</c>,
    /// <c>X-Api-Key: {key}</c> or <c>?key={key}</c>; anything else gets 401. Default: none, and then
    /// every caller is accepted.
    /// </summary>
    public string? ApiKey { get; set; }

    /// <summary>Polls of a task before it reaches its terminal status, unless a submit asks otherwise (<c>X-Fake-Steps</c>). Default: 2.</summary>
    public int DefaultSteps { get; set; } = 2;

    /// <summary>Usage units a successful task reports, unless a submit asks otherwise (<c>X-Fake-Usage</c>). Default: 42.</summary>
    public int DefaultUsage { get; set; } = 42;

    /// <summary>How many requests the journal keeps (oldest dropped first). Default: 10,000.</summary>
    public int JournalCapacity { get; set; } = 10_000;
}
