using System.Text.Json;
using Gateway.LocalSidecar.Actors;

namespace Gateway.LocalSidecar.Tests.SdkActors;

/// <summary>Reading <c>/dapr/config</c> as Dapr.Actors writes it, per-type <c>entitiesConfig</c> included.</summary>
public sealed class ActorRuntimeConfigTests
{
    // What Dapr.Actors 1.19.1 answers for one type registered plainly and one with type options.
    private const string SdkConfig = """
        {"entities":["Probe","ShortLivedProbe"],"actorIdleTimeout":"0h0m2s0ms","actorScanInterval":"0h0m0s200ms","reentrancy":{"enabled":true,"maxStackDepth":8},
         "entitiesConfig":[{"entities":["ShortLivedProbe"],"actorIdleTimeout":"0h0m1s0ms","reentrancy":{"enabled":false}}]}
        """;

    private static ActorRuntimeConfig Parse(string json)
    {
        using var document = JsonDocument.Parse(json);
        return ActorRuntimeConfig.Parse(document.RootElement);
    }

    [Fact]
    public void Parse_ATypeWithoutAnEntry_TakesTheAppWideSettings()
    {
        var config = Parse(SdkConfig);

        Assert.Equal(["Probe", "ShortLivedProbe"], config.Entities);
        Assert.Equal(TimeSpan.FromMilliseconds(200), config.ScanInterval);
        Assert.Equal(new ActorTypeSettings(TimeSpan.FromSeconds(2), true, 8), config.For("Probe"));
    }

    [Fact]
    public void Parse_ATypeWithAnEntry_TakesTheEntry_AndDaprdsDefaultsForWhatItLeavesOut()
    {
        var config = Parse(SdkConfig);

        Assert.Equal(new ActorTypeSettings(TimeSpan.FromSeconds(1), false, 32), config.For("ShortLivedProbe"));
        Assert.Equal(new ActorTypeSettings(TimeSpan.FromMinutes(60), false, 32), Parse("""{"entities":["A"],"actorIdleTimeout":"5s","entitiesConfig":[{"entities":["A"]}]}""").For("A"));
    }

    [Theory]
    [InlineData("""{"entities":["A"],"entitiesConfig":"nonsense"}""")]
    [InlineData("""{"entities":["A"],"entitiesConfig":[1,{"entities":"A"},{"actorIdleTimeout":"1s"}]}""")]
    public void Parse_UnreadableEntries_AreIgnored(string json)
    {
        var config = Parse(json);

        Assert.Equal(new ActorTypeSettings(TimeSpan.FromMinutes(60), false, 32), config.For("A"));
    }
}
