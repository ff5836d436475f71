using Gateway.Testing;
using Microsoft.Extensions.Time.Testing;
using System.Security.Cryptography;
using Gateway.PoolService.Infrastructure;
using Gateway.PoolService.Model;
using Gateway.PoolService.Services;
using Gateway.PoolService.Tests.Support;

namespace Gateway.PoolService.Tests.Services;

public sealed class ConfigurationSeedTests
{
    private readonly ApiKeyCipher _cipher = new(RandomNumberGenerator.GetBytes(32));
    private readonly FakeTimeProvider _clock = TestClock.Create();

    private static PoolOptions Configured(string apiKey = "sk-configured-key-0001") => new()
    {
        Pools = [new PoolSettings { Name = "primary" }, new PoolSettings { Name = "fallback" }],
        Backends = [Samples.Backend("a", "primary", apiKey: apiKey), Samples.Backend("b", "fallback")],
        Aliases = new() { ["alias-m"] = "m" },
    };

    private RegistryDocument Seed(RegistryDocument registry, PoolOptions options) =>
        ConfigurationSeed.Apply(registry, options, _cipher, _clock.GetUtcNow()).Next ?? registry;

    [Fact]
    public void Apply_ToAnEmptyRegistry_WritesPoolsInListOrder_BackendsWithSealedKeys_AndAliases()
    {
        var registry = Seed(RegistryDocument.Empty, Configured());

        Assert.Equal(0, registry.Pools["primary"].Order);
        Assert.Equal(1, registry.Pools["fallback"].Order);
        Assert.True(_cipher.TryOpen(registry.Backends["a"].ApiKey!, "a", out var key));
        Assert.Equal("sk-configured-key-0001", key);
        Assert.Null(registry.Backends["b"].ApiKey);
        Assert.Equal("m", registry.Aliases["alias-m"].Model);
        Assert.All(registry.Backends.Values, b => Assert.Equal(EntrySource.Configuration, b.Source));
    }

    [Fact]
    public void Apply_WithUnchangedConfiguration_WritesNothing()
    {
        var registry = Seed(RegistryDocument.Empty, Configured());

        var again = ConfigurationSeed.Apply(registry, Configured(), _cipher, _clock.GetUtcNow());

        Assert.Equal(EditStatus.Unchanged, again.Status);
        Assert.Null(again.Next);
    }

    [Fact]
    public void Apply_WithAChangedKey_ReSealsIt_AndConfigurationWinsOverAnAdminEditOfItsEntry()
    {
        var registry = Seed(RegistryDocument.Empty, Configured());
        registry = registry with { Backends = registry.Backends.SetItem("a", registry.Backends["a"] with { Rpm = 5, Source = EntrySource.Admin }) };

        var next = Seed(registry, Configured("sk-rotated-key-000002"));

        Assert.True(_cipher.TryOpen(next.Backends["a"].ApiKey!, "a", out var key));
        Assert.Equal("sk-rotated-key-000002", key);
        Assert.Equal(60, next.Backends["a"].Rpm);
        Assert.Equal(EntrySource.Configuration, next.Backends["a"].Source);
    }

    [Fact]
    public void Apply_RemovesConfigurationEntriesNoLongerListed_ButKeepsAdminEntries_AndPoolsTheyUse()
    {
        var registry = Seed(RegistryDocument.Empty, Configured());
        var admin = RegistryEdits.PutBackend(registry, Draft("c", "fallback"), _cipher, _clock.GetUtcNow()).Next!;
        var shrunk = new PoolOptions { Pools = [new PoolSettings { Name = "primary" }], Backends = [Samples.Backend("a", "primary")] };

        var next = Seed(admin, shrunk);

        Assert.Equal(["a", "c"], next.Backends.Keys.Order(StringComparer.Ordinal));
        Assert.Equal(["fallback", "primary"], next.Pools.Keys.Order(StringComparer.Ordinal));
        Assert.Empty(next.Aliases);
    }

    private static BackendDraft Draft(string id, string pool) =>
        RegistryRules.TryBackend(id, Samples.Backend(pool: pool), out var draft, out _) ? draft : throw new InvalidOperationException();
}
