namespace Gateway.PoolService.Model;

/// <summary>A name callers may use for a canonical model (e.g. <c>gpt4</c> → <c>gpt-4o</c>).</summary>
internal sealed record AliasRecord
{
    public required string Alias { get; init; }

    /// <summary>The canonical model name it stands for.</summary>
    public required string Model { get; init; }

    public EntrySource Source { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }
}
