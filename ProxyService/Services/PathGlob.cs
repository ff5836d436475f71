using System.Diagnostics.CodeAnalysis;

namespace Gateway.ProxyService.Services;

/// <summary>
/// A route pattern over the path below a provider's base URL, matched segment by segment: a
/// literal segment matches itself (case-sensitive or not, as the provider's
/// <see cref="PathMatching"/> says); <c>*</c> inside a
/// segment matches any run of characters within that segment (<c>*</c> alone: exactly one
/// non-empty segment); a segment of <c>**</c> matches any number of segments, none included.
/// </summary>
/// <example><c>/tasks</c>, <c>/tasks/*</c>, <c>/v1/**/status</c>, <c>/jobs/job-*</c>.</example>
internal sealed class PathGlob
{
    private const string AnySegments = "**";

    private readonly string[] _segments;
    private readonly string[] _segmentsWithoutTrailingSlash;

    private PathGlob(string text, string[] segments)
    {
        Text = text;
        _segments = segments;
        _segmentsWithoutTrailingSlash = segments is [.., ""] ? segments[..^1] : segments;
    }

    public string Text { get; }

    public static bool TryParse(string? text, [NotNullWhen(true)] out PathGlob? glob, [NotNullWhen(false)] out string? error)
    {
        glob = null;
        if (string.IsNullOrEmpty(text) || text[0] != '/')
        {
            error = "must start with '/'";
            return false;
        }

        var segments = Split(text);
        if (segments[..^1].Any(s => s.Length == 0))
        {
            error = "must not have an empty segment ('//')";
            return false;
        }

        foreach (var segment in segments)
        {
            if (segment.Contains(AnySegments, StringComparison.Ordinal) && segment != AnySegments)
            {
                error = "may use '**' only as a whole segment";
                return false;
            }

            if (segment is "." or ".." || segment.Contains('?', StringComparison.Ordinal) || segment.Contains('%', StringComparison.Ordinal))
            {
                error = "must be a plain path: no '.', '..', '?' or percent-encoding";
                return false;
            }
        }

        glob = new PathGlob(text, segments);
        error = null;
        return true;
    }

    public static PathGlob Parse(string text) =>
        TryParse(text, out var glob, out var error) ? glob : throw new FormatException($"Path pattern '{text}' {error}.");

    /// <summary>True when <paramref name="path"/> (starting with '/', decoded) matches as written: every spelling distinct.</summary>
    public bool IsMatch(string path) => IsMatch(PathMatching.Exact.Segments(path), PathMatching.Exact);

    /// <summary>
    /// True when <paramref name="segments"/> (a path canonicalised by <paramref name="matching"/>)
    /// match. The pattern is read the same way: <c>/tasks/</c> is <c>/tasks</c> when the trailing
    /// slash is not significant.
    /// </summary>
    public bool IsMatch(IReadOnlyList<string> segments, PathMatching matching)
    {
        ArgumentNullException.ThrowIfNull(segments);
        ArgumentNullException.ThrowIfNull(matching);
        var pattern = matching.TrailingSlashSignificant ? _segments : _segmentsWithoutTrailingSlash;
        return Match(pattern, 0, segments, 0, matching.Comparison);
    }

    /// <summary>The segments of <paramref name="path"/> after its leading '/'; an empty path has one empty segment.</summary>
    public static string[] Split(string path) => path.Length > 0 && path[0] == '/' ? path[1..].Split('/') : path.Split('/');

    public override string ToString() => Text;

    private static bool Match(string[] pattern, int p, IReadOnlyList<string> path, int s, StringComparison comparison)
    {
        while (p < pattern.Length)
        {
            if (pattern[p] == AnySegments)
            {
                // Try every split point: the patterns are short, so the backtracking stays cheap.
                for (var skip = s; skip <= path.Count; skip++)
                {
                    if (Match(pattern, p + 1, path, skip, comparison))
                    {
                        return true;
                    }
                }

                return false;
            }

            if (s >= path.Count || !SegmentMatches(pattern[p], path[s], comparison))
            {
                return false;
            }

            p++;
            s++;
        }

        return s == path.Count;
    }

    private static bool SegmentMatches(string pattern, string segment, StringComparison comparison)
    {
        if (!pattern.Contains('*', StringComparison.Ordinal))
        {
            return string.Equals(pattern, segment, comparison);
        }

        if (pattern == "*")
        {
            return segment.Length > 0;
        }

        var parts = pattern.Split('*');
        if (!segment.StartsWith(parts[0], comparison) || !segment.EndsWith(parts[^1], comparison)
            || segment.Length < parts[0].Length + parts[^1].Length)
        {
            return false;
        }

        var position = parts[0].Length;
        var end = segment.Length - parts[^1].Length;
        for (var i = 1; i < parts.Length - 1; i++)
        {
            var found = segment.IndexOf(parts[i], position, end - position, comparison);
            if (found < 0)
            {
                return false;
            }

            position = found + parts[i].Length;
        }

        return true;
    }
}
