using System.Collections.Frozen;
using Gateway.ProxyService.Infrastructure.Forwarding;

namespace Gateway.ProxyService.Tests.Infrastructure.Forwarding;

public sealed class ForwardPathTests
{
    private static readonly UpstreamTarget Target = new(
        new Uri("https://provider.example:8443/v1"),
        UpstreamCredential.InQuery("key", "secret"),
        FrozenSet<string>.Empty,
        TimeSpan.FromSeconds(10));

    [Theory]
    [InlineData("/api/proxy/demo/tasks", "/tasks", "/tasks", "", "https://provider.example:8443/v1/tasks")]
    [InlineData("/api/proxy/demo/tasks/t%20one?x=1&y=%2F", "/tasks/t%20one", "/tasks/t one", "?x=1&y=%2F", "https://provider.example:8443/v1/tasks/t%20one?x=1&y=%2F")]
    [InlineData("/api/proxy/demo", "", "", "", "https://provider.example:8443/v1")]
    [InlineData("/api/proxy/demo/", "/", "/", "", "https://provider.example:8443/v1/")]
    [InlineData("/api/proxy/demo/a.b/c..d/.well", "/a.b/c..d/.well", "/a.b/c..d/.well", "", "https://provider.example:8443/v1/a.b/c..d/.well")]
    [InlineData("/api/proxy/demo/models/x:generate", "/models/x:generate", "/models/x:generate", "", "https://provider.example:8443/v1/models/x:generate")]
    public void TryParse_PathsBelowTheProvider_AreForwardedBelowItsBaseUrl(string rawTarget, string rawPath, string path, string query, string upstream)
    {
        Assert.True(ForwardPath.TryParse(rawTarget, 3, out var parsed, out var problem), problem);

        Assert.Equal(rawPath, parsed.RawPath);
        Assert.Equal(path, parsed.Path);
        Assert.Equal(query, parsed.RawQuery);
        Assert.Equal(upstream, parsed.ToUpstreamUri(Target, null)?.AbsoluteUri);
    }

    [Theory]
    [InlineData("http://evil.example/x")]
    [InlineData("evil.example:443")]
    [InlineData("*")]
    [InlineData("")]
    [InlineData("/api/proxy/demo/../admin")]
    [InlineData("/api/proxy/demo/a/../../other/x")]
    [InlineData("/api/proxy/demo/./tasks")]
    [InlineData("/api/proxy/demo/%2e%2e/_fake")]
    [InlineData("/api/proxy/demo/%2E%2e/_fake")]
    [InlineData("/api/proxy/demo/.%2e/_fake")]
    [InlineData("/api/proxy/demo/a%2f..%2f..%2f_fake")]
    [InlineData("/api/proxy/demo/a%2F..")]
    [InlineData("/api/proxy/demo/a%5c..%5c_fake")]
    [InlineData("/api/proxy/demo/a\\..\\_fake")]
    [InlineData("/api/proxy/demo/%252e%252e/_fake")]
    [InlineData("/api/proxy/demo//http://evil.example/x")]
    [InlineData("/api/proxy/demo/http://evil.example/x")]
    [InlineData("/api/proxy/demo/http:%2F%2Fevil.example")]
    [InlineData("/api/proxy/demo/https:evil.example")]
    [InlineData("/api/proxy/demo/file:%2Fetc%2Fpasswd")]
    [InlineData("/api/proxy/demo/a%00b")]
    [InlineData("/api/proxy/demo/a%0d%0aHost:%20evil")]
    [InlineData("/api/proxy/demo/a%7f")]
    [InlineData("/api/proxy/demo/a%zz")]
    [InlineData("/api/proxy/demo/a%2")]
    [InlineData("/api/./proxy/demo/tasks")]
    [InlineData("/api//proxy/demo/tasks")]
    [InlineData("//api/proxy/demo/tasks")]
    [InlineData("/api/proxy/demo/tasks?x=1#frag")]
    public void TryParse_AnythingThatCouldLeaveTheProvider_IsRefused(string rawTarget)
    {
        Assert.False(ForwardPath.TryParse(rawTarget, 3, out var parsed, out var problem));
        Assert.Null(parsed);
        Assert.False(string.IsNullOrEmpty(problem));
    }

    /// <summary>Collapsed below the prefix, and said so: the provider's path matching decides whether that is the same path.</summary>
    [Theory]
    [InlineData("/api/proxy/demo//tasks", "/tasks", true, "https://provider.example:8443/v1/tasks")]
    [InlineData("/api/proxy/demo//evil.example/x", "/evil.example/x", true, "https://provider.example:8443/v1/evil.example/x")]
    [InlineData("/api/proxy/demo/tasks//t-1//", "/tasks/t-1/", true, "https://provider.example:8443/v1/tasks/t-1/")]
    [InlineData("/api/proxy/demo//", "/", true, "https://provider.example:8443/v1/")]
    [InlineData("/api/proxy/demo/tasks/", "/tasks/", false, "https://provider.example:8443/v1/tasks/")]
    public void TryParse_RepeatedSlashes_AreCollapsedBelowThePrefix(string rawTarget, string rawPath, bool repeated, string upstream)
    {
        Assert.True(ForwardPath.TryParse(rawTarget, 3, out var parsed, out var problem), problem);

        Assert.Equal((rawPath, repeated), (parsed.RawPath, parsed.RepeatedSlashes));
        Assert.Equal(upstream, parsed.ToUpstreamUri(Target, null)?.AbsoluteUri);
    }

    [Theory]
    [InlineData("?key=client&x=1", "?x=1")]
    [InlineData("?KEY=client", "")]
    [InlineData("?k%65y=client&x=1", "?x=1")]
    [InlineData("?x=1&keyring=2", "?x=1&keyring=2")]
    public void ToUpstreamUri_DropsTheCredentialsQueryParameter(string query, string expected)
    {
        Assert.True(ForwardPath.TryParse("/api/proxy/demo/tasks" + query, 3, out var parsed, out _));

        Assert.Equal("https://provider.example:8443/v1/tasks" + expected, parsed.ToUpstreamUri(Target, "key")!.AbsoluteUri);
    }

    [Fact]
    public void ToUpstreamUri_BaseUrlAtTheRoot_StaysOnTheHost()
    {
        var root = Target with { BaseUri = new Uri("http://provider.example") };
        Assert.True(ForwardPath.TryParse("/api/proxy/demo/tasks/1", 3, out var parsed, out _));

        Assert.Equal("http://provider.example/tasks/1", parsed.ToUpstreamUri(root, null)!.AbsoluteUri);
    }
}
