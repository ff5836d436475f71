using System.Diagnostics.CodeAnalysis;

namespace Gateway.ProxyService.Services;

/// <summary>
/// A route pattern over the path below a provider's base URL, matched segment by segment: a
/// literal segment matches itself (ordinal, case-sensitive, as URL paths are); <c>*</c> inside a
/// segment matches any run of characters within that segment (<c>*</c> alone: exactly one
/// non-empty segment); a segment of <c>**</c> matches any number of segments, none included.
/// </summary>
/// <example><c>/tasks</c>, <c>/tasks/*</c>, <c>/v1/**/status</c>, <c>/jobs/job-*</c>.</example>
internal sealed class PathGlob
{
    private const string AnySegments = "**";

    private readonly string[] _segments;

    private PathGlob(string text, string[] segments)
    {
        Text = text;
        _segments = segments;
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

    /// <summary>True when <paramref name="path"/> (starting with '/', decoded) matches.</summary>
    public bool IsMatch(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        return Match(_segments, 0, Split(path), 0);
    }

    /// <summary>The segments of <paramref name="path"/> after its leading '/'; an empty path has one empty segment.</summary>
    public static string[] Split(string path) => path.Length > 0 && path[0] == '/' ? path[1..].Split('/') : path.Split('/');

    public override string ToString() => Text;

    private static bool Match(string[] pattern, int p, string[] path, int s)
    {
        while (p < pattern.Length)
        {
            if (pattern[p] == AnySegments)
            {
                // Try every split point: the patterns are short, so the backtracking stays cheap.
                for (var skip = s; skip <= path.Length; skip++)
                {
                    if (Match(pattern, p + 1, path, skip))
                    {
                        return true;
                    }
                }

                return false;
            }

            if (s >= path.Length || !SegmentMatches(pattern[p], path[s]))
            {
                return false;
            }

            p++;
            s++;
        }

        return s == path.Length;
    }

    private static bool SegmentMatches(string pattern, string segment)
    {
        if (!pattern.Contains('*', StringComparison.Ordinal))
        {
            return string.Equals(pattern, segment, StringComparison.Ordinal);
        }

        if (pattern == "*")
        {
            return segment.Length > 0;
        }

        var parts = pattern.Split('*');
        if (!segment.StartsWith(parts[0], StringComparison.Ordinal) || !segment.EndsWith(parts[^1], StringComparison.Ordinal)
            || segment.Length < parts[0].Length + parts[^1].Length)
        {
            return false;
        }

        var position = parts[0].Length;
        var end = segment.Length - parts[^1].Length;
        for (var i = 1; i < parts.Length - 1; i++)
        {
            var found = segment.IndexOf(parts[i], position, end - position, StringComparison.Ordinal);
            if (found < 0)
            {
                return false;
            }

            position = found + parts[i].Length;
        }

        return true;
    }
}
