using Gateway.ProxyService.Services;

namespace Gateway.ProxyService.Tests.Services;

public sealed class PathGlobTests
{
    [Theory]
    [InlineData("/tasks", "/tasks", true)]
    [InlineData("/tasks", "/tasks/", false)]
    [InlineData("/tasks", "/Tasks", false)]
    [InlineData("/tasks/*", "/tasks/abc", true)]
    [InlineData("/tasks/*", "/tasks/", false)]
    [InlineData("/tasks/*", "/tasks/a/b", false)]
    [InlineData("/tasks/**", "/tasks", true)]
    [InlineData("/tasks/**", "/tasks/a/b/c", true)]
    [InlineData("/v1/**/status", "/v1/status", true)]
    [InlineData("/v1/**/status", "/v1/jobs/9/status", true)]
    [InlineData("/v1/**/status", "/v1/jobs/9/result", false)]
    [InlineData("/jobs/job-*", "/jobs/job-42", true)]
    [InlineData("/jobs/job-*", "/jobs/task-42", false)]
    [InlineData("/jobs/*-*.json", "/jobs/a-b.json", true)]
    [InlineData("/jobs/*-*.json", "/jobs/ab.json", false)]
    [InlineData("/**", "/anything/at/all", true)]
    public void IsMatch_Table(string pattern, string path, bool expected) =>
        Assert.Equal(expected, PathGlob.Parse(pattern).IsMatch(path));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("tasks")]
    [InlineData("/tasks/a**")]
    [InlineData("/tasks/../x")]
    [InlineData("/tasks/%2f")]
    [InlineData("/tasks?x=1")]
    public void TryParse_BadPatterns_Fail(string? pattern) =>
        Assert.False(PathGlob.TryParse(pattern, out _, out _));
}
