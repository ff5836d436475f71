using Gateway.LocalSidecar.Invocation;

namespace Gateway.LocalSidecar.Tests.Invocation;

public class InvocationPathTests
{
    [Theory]
    [InlineData("/v1.0/invoke/billing/method/reservations", null, "billing", "reservations")]
    [InlineData("/v1.0/invoke/billing/method/a/b/c", null, "billing", "a/b/c")]
    [InlineData("/v1.0/invoke/billing/method/a//b/./c/../d", null, "billing", "a/b/d")]
    [InlineData("/v1.0/invoke/billing/method/", null, "billing", "")]
    [InlineData("/v1.0/invoke/bil%6Cing/method/x", null, "billing", "x")]
    [InlineData("/anything/else", "pool", "pool", "anything/else")]
    [InlineData("/v1.0/invoke/billing/method/x", "pool", "pool", "v1.0/invoke/billing/method/x")]
    [InlineData("/v1.0/invoke/billing", null, null, "")]
    [InlineData("/v1.0/state/x", null, null, "")]
    public void Find_ReadsTargetAndMethodAsDaprd(string rawPath, string? header, string? appId, string method)
    {
        var (foundAppId, foundMethod) = InvocationPath.Find(rawPath, header);

        Assert.Equal(appId, foundAppId);
        Assert.Equal(method, foundMethod);
    }

    [Theory]
    [InlineData("", ".")]
    [InlineData("/", "/")]
    [InlineData("a/../../b", "../b")]
    [InlineData("/../a", "/a")]
    [InlineData("a/b/", "a/b")]
    public void Clean_BehavesLikeGoPathClean(string path, string expected) =>
        Assert.Equal(expected, InvocationPath.Clean(path));
}
