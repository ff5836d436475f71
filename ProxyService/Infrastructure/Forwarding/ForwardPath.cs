using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Gateway.ProxyService.Infrastructure.Forwarding;

/// <summary>
/// The part of a request's target that is forwarded, checked so that it can only name something
/// below the upstream's base URL. Works on the raw request target as the client sent it, before
/// the server decoded or normalised anything, and refuses rather than repairs, with one repair:
/// repeated slashes in the forwarded part are collapsed (<see cref="RepeatedSlashes"/> says so;
/// a provider that does not treat <c>//tasks</c> as <c>/tasks</c> refuses the request then).
/// </summary>
/// <param name="RawPath">The path below the route prefix as forwarded (percent-encoding kept, repeated slashes collapsed), "" or starting with '/'.</param>
/// <param name="Path">The same, decoded: what route patterns and task-id segments see.</param>
/// <param name="RawQuery">The query string as sent, "" or starting with '?'.</param>
/// <param name="RepeatedSlashes">The path as sent had empty segments (<c>//</c>) below the prefix, collapsed in <paramref name="RawPath"/>.</param>
internal sealed partial record ForwardPath(string RawPath, string Path, string RawQuery, bool RepeatedSlashes = false)
{
    /// <summary>
    /// Splits <paramref name="rawTarget"/> (the request-target, e.g. <c>/api/proxy/demo/tasks?x=1</c>)
    /// at <paramref name="prefixSegments"/> leading segments (3 for <c>/api/proxy/{provider}</c>) and
    /// checks the rest. Refused: a target that is not a path (absolute-form <c>http://...</c>,
    /// authority-form, <c>*</c>); <c>.</c> or <c>..</c> segments, raw or percent-encoded; encoded
    /// slashes and backslashes (<c>%2f</c>, <c>%5c</c>), raw backslashes, encoded percent signs
    /// (<c>%25</c>, a double encoding); control characters, raw or encoded; empty segments in the
    /// prefix; and a URL as the first forwarded segment (<c>http:</c>, <c>https:</c>, <c>file:</c>...),
    /// once repeated slashes are collapsed (so <c>//host/x</c> is the path <c>/host/x</c>, never scheme-relative).
    /// </summary>
    public static bool TryParse(string? rawTarget, int prefixSegments, [NotNullWhen(true)] out ForwardPath? path, [NotNullWhen(false)] out string? problem)
    {
        path = null;
        if (string.IsNullOrEmpty(rawTarget) || rawTarget[0] != '/')
        {
            problem = "the request target must be a path; absolute URLs are not forwarded";
            return false;
        }

        var queryStart = rawTarget.IndexOf('?', StringComparison.Ordinal);
        var rawPath = queryStart < 0 ? rawTarget : rawTarget[..queryStart];
        var rawQuery = queryStart < 0 ? "" : rawTarget[queryStart..];
        if (rawQuery.Any(char.IsControl) || rawQuery.Contains('#', StringComparison.Ordinal))
        {
            problem = "the query string contains a control character or a fragment";
            return false;
        }

        // The whole path is checked, the routed prefix included: the server normalised it before
        // routing, so a '..' there would have been routed on silently.
        var segments = rawPath[1..].Split('/');
        var prefix = Math.Min(prefixSegments, segments.Length);
        if (segments[..prefix].Any(s => s.Length == 0))
        {
            problem = "the path has an empty segment ('//')";
            return false;
        }

        // Below the prefix ("/api", "/proxy", "/{provider}", already routed on): empty segments
        // dropped, but for the last, which is the trailing slash.
        var rest = segments[prefix..];
        string[] kept = rest.Length == 0 ? [] : [.. rest[..^1].Where(s => s.Length > 0), rest[^1]];
        foreach (var segment in segments[..prefix].Concat(kept))
        {
            if (!TryDecodeSegment(segment, out var decoded, out problem))
            {
                return false;
            }

            if (decoded is "." or "..")
            {
                problem = "the path has a '.' or '..' segment";
                return false;
            }
        }

        var sub = kept.Length == 0 ? "" : "/" + string.Join('/', kept);
        var first = Uri.UnescapeDataString(kept.Length > 0 ? kept[0] : "");
        if (UrlScheme().IsMatch(first))
        {
            problem = "the path starts with a URL scheme; absolute URLs are not forwarded";
            return false;
        }

        path = new ForwardPath(sub, Uri.UnescapeDataString(sub), rawQuery, RepeatedSlashes: kept.Length < rest.Length);
        problem = null;
        return true;
    }

    /// <summary>
    /// The upstream URL: the base URL's path, then this path and query; a query parameter named
    /// <paramref name="dropQueryParameter"/> is removed (the credential's, so a client cannot
    /// supply or duplicate it). Null if the result would leave the base URL (never expected after
    /// <see cref="TryParse"/>: a last line of defence).
    /// </summary>
    public Uri? ToUpstreamUri(UpstreamTarget target, string? dropQueryParameter)
    {
        ArgumentNullException.ThrowIfNull(target);
        var query = dropQueryParameter is null ? RawQuery : DropParameter(RawQuery, dropQueryParameter);
        if (!Uri.TryCreate(target.DestinationPrefix + RawPath + query, UriKind.Absolute, out var uri))
        {
            return null;
        }

        var basePath = target.BasePath;
        var confined = uri.Scheme == target.BaseUri.Scheme
            && string.Equals(uri.Host, target.BaseUri.Host, StringComparison.OrdinalIgnoreCase)
            && uri.Port == target.BaseUri.Port
            && uri.UserInfo.Length == 0
            && (uri.AbsolutePath == basePath || uri.AbsolutePath == basePath + "/" || uri.AbsolutePath.StartsWith(basePath + "/", StringComparison.Ordinal));
        return confined ? uri : null;
    }

    private static bool TryDecodeSegment(string segment, out string decoded, [NotNullWhen(false)] out string? problem)
    {
        var builder = new StringBuilder(segment.Length);
        for (var i = 0; i < segment.Length; i++)
        {
            var c = segment[i];
            if (c == '%')
            {
                if (i + 2 >= segment.Length || !byte.TryParse(segment.AsSpan(i + 1, 2), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value))
                {
                    decoded = "";
                    problem = "the path has a malformed percent-encoding";
                    return false;
                }

                if (value is (byte)'/' or (byte)'\\' or (byte)'%' or < 0x20 or 0x7f)
                {
                    decoded = "";
                    problem = "the path has an encoded slash, backslash, percent sign or control character";
                    return false;
                }

                builder.Append(value < 0x80 ? (char)value : '\uFFFD');
                i += 2;
            }
            else if (c == '\\' || char.IsControl(c))
            {
                decoded = "";
                problem = "the path has a backslash or a control character";
                return false;
            }
            else
            {
                builder.Append(c);
            }
        }

        decoded = builder.ToString();
        problem = null;
        return true;
    }

    [GeneratedRegex("^(https?|wss?|ftp|file):", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex UrlScheme();

    private static string DropParameter(string rawQuery, string name)
    {
        if (rawQuery.Length <= 1)
        {
            return rawQuery;
        }

        var kept = rawQuery[1..].Split('&').Where(pair =>
        {
            var key = pair.Split('=', 2)[0];
            return !string.Equals(Uri.UnescapeDataString(key.Replace('+', ' ')), name, StringComparison.OrdinalIgnoreCase);
        }).ToList();
        return kept.Count == 0 ? "" : "?" + string.Join('&', kept);
    }
}
