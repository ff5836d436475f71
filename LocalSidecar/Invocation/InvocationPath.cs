namespace Gateway.LocalSidecar.Invocation;

/// <summary>How daprd finds the target app id and method of an invocation.</summary>
internal static class InvocationPath
{
    private const string Prefix = "/v1.0/invoke/";
    private const string MethodMarker = "/method/";

    /// <summary>
    /// The target and the method path (still percent-encoded, query excluded) from the raw request
    /// target: the <c>dapr-app-id</c> header wins over the path, as in daprd.
    /// </summary>
    public static (string? AppId, string Method) Find(string rawPath, string? appIdHeader)
    {
        if (!string.IsNullOrEmpty(appIdHeader))
        {
            return (appIdHeader, Clean(rawPath).TrimStart('/'));
        }

        if (!rawPath.StartsWith(Prefix, StringComparison.Ordinal))
        {
            return (null, "");
        }

        var rest = rawPath[Prefix.Length..];
        var marker = rest.IndexOf(MethodMarker, StringComparison.Ordinal);
        if (marker <= 0)
        {
            return (null, "");
        }

        var appId = Uri.UnescapeDataString(rest[..marker]);
        var method = Clean(rest[(marker + MethodMarker.Length)..]);
        return (appId.Length == 0 ? null : appId, method == "." ? "" : method.TrimStart('/'));
    }

    /// <summary>Go's path.Clean: no empty, "." or ".." segments, no trailing slash.</summary>
    public static string Clean(string path)
    {
        if (path.Length == 0)
        {
            return ".";
        }

        var rooted = path[0] == '/';
        var segments = new List<string>();
        foreach (var segment in path.Split('/'))
        {
            if (segment.Length == 0 || segment == ".")
            {
                continue;
            }

            if (segment == "..")
            {
                if (segments.Count > 0 && segments[^1] != "..")
                {
                    segments.RemoveAt(segments.Count - 1);
                }
                else if (!rooted)
                {
                    segments.Add(segment);
                }

                continue;
            }

            segments.Add(segment);
        }

        var cleaned = string.Join('/', segments);
        return rooted ? "/" + cleaned : cleaned.Length == 0 ? "." : cleaned;
    }
}
