using Gateway.ServiceDefaults.Dapr;

namespace Gateway.ServiceDefaults.Tests.Dapr;

public sealed class SidecarPathsTests
{
    [Theory]
    [InlineData("k", "v1.0/state/store/k")]
    [InlineData("a/b", "v1.0/state/store/a%2Fb")]
    [InlineData("a b?c#d%", "v1.0/state/store/a%20b%3Fc%23d%25")]
    [InlineData("a|b", "v1.0/state/store/a%7Cb")]
    [InlineData("...", "v1.0/state/store/...")]
    [InlineData("ü", "v1.0/state/store/%C3%BC")]
    public void StateKey_EncodesTheKeyAsOneSegment(string key, string expected)
    {
        Assert.Equal(expected, SidecarPaths.StateKey("store", key));
    }

    [Theory]
    [InlineData("orders/42", "orders/42")]
    [InlineData("/orders/42", "orders/42")]
    [InlineData("a b/c?d", "a%20b/c%3Fd")]
    [InlineData("x/%2F/y", "x/%252F/y")]
    [InlineData("", "")]
    public void EncodeMethodPath_EncodesSegments_KeepsSlashes(string path, string expected)
    {
        Assert.Equal(expected, SidecarPaths.EncodeMethodPath(path, "p"));
    }

    [Theory]
    [InlineData("..")]
    [InlineData("a/../b")]
    [InlineData("a/./b")]
    public void EncodeMethodPath_DotSegments_AreRefused(string path)
    {
        Assert.Throws<ArgumentException>(() => SidecarPaths.EncodeMethodPath(path, "p"));
    }

    [Theory]
    [InlineData("orders/42?verbose=true", "orders/42?verbose=true")]
    [InlineData("/a%2Fb/c?x=%20", "a%2Fb/c?x=%20")]
    [InlineData("a b", "a%20b")]
    [InlineData("a/b?next=../x", "a/b?next=../x")]
    public void CheckEncodedMethodPath_KeepsTheCallersEncoding(string relative, string expected)
    {
        Assert.Equal(expected, SidecarPaths.CheckEncodedMethodPath(new Uri(relative, UriKind.Relative), "r"));
    }

    [Theory]
    [InlineData("../x")]
    [InlineData("a/%2E%2E/x")]
    [InlineData("a/%2e/x")]
    public void CheckEncodedMethodPath_DotSegments_AreRefused(string relative)
    {
        Assert.Throws<ArgumentException>(() => SidecarPaths.CheckEncodedMethodPath(new Uri(relative, UriKind.Relative), "r"));
    }

    [Fact]
    public void Invoke_EncodesTheAppId()
    {
        Assert.Equal("v1.0/invoke/my%20app/method/a/b", SidecarPaths.Invoke("my app", "a/b"));
    }
}
