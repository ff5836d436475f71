using Gateway.LocalSidecar.State;

namespace Gateway.LocalSidecar.Tests.Hosting;

public class StateKeyPrefixTests
{
    [Theory]
    [InlineData(null, null, "billing||k")]
    [InlineData("appid", null, "billing||k")]
    [InlineData("name", null, "statestore||k")]
    [InlineData("none", null, "k")]
    [InlineData("namespace", null, "billing||k")]
    [InlineData("namespace", "prod", "prod.billing||k")]
    [InlineData("Shared", null, "shared||k")]
    public void Apply_PrefixesAsDaprd(string? strategy, string? @namespace, string expected) =>
        Assert.Equal(expected, StateKeyPrefix.Parse(strategy).Apply("k", "statestore", "billing", @namespace));

    [Fact]
    public void Apply_KeyWithSeparator_IsRejected() =>
        Assert.Null(StateKeyPrefix.Parse(null).Apply("a||b", "statestore", "billing", null));

    [Theory]
    [InlineData("billing||k", "k")]
    [InlineData("k", "k")]
    [InlineData("prod.billing||k", "k")]
    public void Original_IsTheSecondPart(string stored, string expected) => Assert.Equal(expected, StateKeyPrefix.Original(stored));
}
