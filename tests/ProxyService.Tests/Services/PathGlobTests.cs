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

    /// <summary>The path matching each row is read with: the provider default, and each setting turned.</summary>
    public enum Matching
    {
        Default,
        CaseSensitive,
        TrailingSlashSignificant,
        RepeatedSlashesKept,
    }

    public static TheoryData<string, string, Matching, bool> CanonicalMatches => new()
    {
        { "/tasks", "/tasks", Matching.Default, true },
        { "/tasks", "/tasks/", Matching.Default, true },
        { "/tasks", "/Tasks", Matching.Default, true },
        { "/tasks", "/TASKS/", Matching.Default, true },
        { "/tasks", "//tasks", Matching.Default, true },
        { "/tasks", "//tasks//", Matching.Default, true },
        { "/tasks/", "/tasks", Matching.Default, true },
        { "/tasks/*", "/TASKS/abc/", Matching.Default, true },
        { "/tasks/*", "/tasks//abc", Matching.Default, true },
        { "/tasks/*", "/tasks/", Matching.Default, false },
        { "/tasks/*", "/tasks//", Matching.Default, false },
        { "/jobs/job-*", "/JOBS/JOB-42", Matching.Default, true },
        { "/v1/**/status", "/V1/jobs/9/STATUS/", Matching.Default, true },
        { "/", "/", Matching.Default, true },
        { "/", "", Matching.Default, true },
        { "/tasks", "/Tasks", Matching.CaseSensitive, false },
        { "/tasks", "/tasks/", Matching.CaseSensitive, true },
        { "/jobs/job-*", "/jobs/JOB-42", Matching.CaseSensitive, false },
        { "/tasks", "/tasks/", Matching.TrailingSlashSignificant, false },
        { "/tasks", "/Tasks", Matching.TrailingSlashSignificant, true },
        { "/tasks/", "/tasks/", Matching.TrailingSlashSignificant, true },
        { "/tasks", "//tasks", Matching.RepeatedSlashesKept, false },
        { "/tasks", "/tasks/", Matching.RepeatedSlashesKept, true },
    };

    [Theory]
    [MemberData(nameof(CanonicalMatches))]
    public void IsMatch_OnTheCanonicalPath_Table(string pattern, string path, Matching matching, bool expected)
    {
        var rules = matching switch
        {
            Matching.Default => PathMatching.Default,
            Matching.CaseSensitive => PathMatching.Default with { CaseSensitive = true },
            Matching.TrailingSlashSignificant => PathMatching.Default with { TrailingSlashSignificant = true },
            Matching.RepeatedSlashesKept => PathMatching.Default with { CollapseRepeatedSlashes = false },
            _ => throw new ArgumentOutOfRangeException(nameof(matching)),
        };

        Assert.Equal(expected, PathGlob.Parse(pattern).IsMatch(rules.Segments(path), rules));
    }

    [Theory]
    [InlineData("/Tasks/T-9/", "Tasks", "T-9")]
    [InlineData("//tasks//T-9", "tasks", "T-9")]
    public void Segments_KeepTheCaseOfWhatTheyRead(string path, string first, string second) =>
        Assert.Equal([first, second], PathMatching.Default.Segments(path));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("tasks")]
    [InlineData("/tasks/a**")]
    [InlineData("/tasks/../x")]
    [InlineData("/tasks/%2f")]
    [InlineData("/tasks?x=1")]
    [InlineData("//tasks")]
    [InlineData("/tasks//*")]
    public void TryParse_BadPatterns_Fail(string? pattern) =>
        Assert.False(PathGlob.TryParse(pattern, out _, out _));
}
