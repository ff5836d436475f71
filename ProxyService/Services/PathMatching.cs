namespace Gateway.ProxyService.Services;

/// <summary>
/// Which spellings of a path a provider treats as one: the form its routes are matched on, so
/// that every spelling the provider would serve as a submit is billed as one (issue #18). The
/// default is how most HTTP frameworks route: without regard to case, a trailing slash ignored,
/// repeated slashes collapsed (see <see cref="Infrastructure.PathMatchingOptions"/>).
/// </summary>
internal sealed record PathMatching(bool CaseSensitive, bool TrailingSlashSignificant, bool CollapseRepeatedSlashes)
{
    public static PathMatching Default { get; } = new(CaseSensitive: false, TrailingSlashSignificant: false, CollapseRepeatedSlashes: true);

    /// <summary>Every spelling distinct: what <see cref="PathGlob.IsMatch(string)"/> alone means.</summary>
    public static PathMatching Exact { get; } = new(CaseSensitive: true, TrailingSlashSignificant: true, CollapseRepeatedSlashes: false);

    public StringComparison Comparison => CaseSensitive ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;

    /// <summary>
    /// The segments of <paramref name="path"/> (decoded, "" or starting with '/') that routes and
    /// task-id segments see: empty segments dropped when repeated slashes collapse, a trailing
    /// empty segment dropped when the trailing slash is not significant. Case is kept: a task id
    /// read from a segment is the provider's, spelled as sent.
    /// </summary>
    public string[] Segments(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var segments = PathGlob.Split(path);
        if (CollapseRepeatedSlashes && segments.Length > 1)
        {
            // The last one stays: it is the trailing slash, significant or not.
            segments = [.. segments[..^1].Where(s => s.Length > 0), segments[^1]];
        }

        return !TrailingSlashSignificant && segments is [.., ""] ? segments[..^1] : segments;
    }
}
