using System.Collections.Immutable;

namespace Gateway.PoolService.Model;

/// <summary>
/// The registry as stored at <see cref="StateKeys.Registry"/>: one document under one ETag, so an
/// edit is one conditional write and a replica sees a consistent whole. <see cref="Version"/> grows
/// by one with every stored edit.
/// </summary>
internal sealed record RegistryDocument
{
    public static RegistryDocument Empty { get; } = new();

    public long Version { get; init; }

    public DateTimeOffset UpdatedAt { get; init; }

    public ImmutableDictionary<string, BackendRecord> Backends { get; init; } = ImmutableDictionary<string, BackendRecord>.Empty;

    public ImmutableDictionary<string, PoolRecord> Pools { get; init; } = ImmutableDictionary<string, PoolRecord>.Empty;

    public ImmutableDictionary<string, AliasRecord> Aliases { get; init; } = ImmutableDictionary<string, AliasRecord>.Empty;
}
