namespace Gateway.PoolService.Model;

/// <summary>
/// A pool of backends. Leases walk pools by ascending <see cref="Order"/> (ties by name): the
/// primary pool first, then its fallbacks.
/// </summary>
internal sealed record PoolRecord
{
    public required string Name { get; init; }

    public required int Order { get; init; }

    public EntrySource Source { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }
}
