namespace Gateway.ServiceDefaults.Dapr;

/// <summary>The sidecar API paths (relative to its endpoint), every caller-given part percent-encoded.</summary>
internal static class SidecarPaths
{
    public static string State(string storeName) => $"v1.0/state/{Segment(storeName)}";

    public static string StateKey(string storeName, string key) => $"v1.0/state/{Segment(storeName)}/{Segment(key)}";

    public static string BulkState(string storeName) => $"v1.0/state/{Segment(storeName)}/bulk";

    public static string StateTransaction(string storeName) => $"v1.0/state/{Segment(storeName)}/transaction";

    /// <summary>
    /// <c>v1.0/invoke/{appId}/method/{methodPath}</c> where <paramref name="encodedMethodPath"/> is
    /// already percent-encoded (and may carry a query string).
    /// </summary>
    public static string Invoke(string appId, string encodedMethodPath) => $"v1.0/invoke/{Segment(appId)}/method/{encodedMethodPath}";

    /// <summary>
    /// Encodes a method path given as plain text: each segment is percent-encoded, the slashes
    /// between them are kept. A <c>.</c> or <c>..</c> segment is refused: once normalised by a
    /// server it would climb out of <c>/method/</c> into another sidecar API.
    /// </summary>
    public static string EncodeMethodPath(string methodPath, string paramName)
    {
        var segments = methodPath.TrimStart('/').Split('/');
        for (var i = 0; i < segments.Length; i++)
        {
            if (segments[i] is "." or "..")
            {
                throw new ArgumentException($"The method path '{methodPath}' must not contain '.' or '..' segments.", paramName);
            }

            segments[i] = Uri.EscapeDataString(segments[i]);
        }

        return string.Join('/', segments);
    }

    /// <summary>
    /// Checks an already-encoded relative method path (with an optional query string) and returns
    /// it in its escaped form, without a leading slash.
    /// </summary>
    public static string CheckEncodedMethodPath(Uri relative, string paramName)
    {
        if (relative.IsAbsoluteUri)
        {
            // An absolute URI would send the sidecar's API token to whatever host it names.
            throw new ArgumentException("The request URI must be a path relative to the callee, e.g. 'orders/42?verbose=true'.", paramName);
        }

        var text = relative.OriginalString;
        var end = text.IndexOfAny(['?', '#']);
        var path = end < 0 ? text : text[..end];
        foreach (var segment in path.Split('/'))
        {
            if (Uri.UnescapeDataString(segment) is "." or "..")
            {
                throw new ArgumentException($"The request URI '{text}' must not contain '.' or '..' segments.", paramName);
            }
        }

        // Resolving against a placeholder base escapes what the caller left unescaped (spaces,
        // non-ASCII) and keeps what it escaped; dot segments are refused above, so nothing moves.
        var escaped = new Uri(PlaceholderBase, relative).PathAndQuery;
        return escaped.TrimStart('/');
    }

    private static readonly Uri PlaceholderBase = new("http://callee/");

    /// <summary>
    /// One percent-encoded path segment. <c>.</c> and <c>..</c> are legal state keys but would be
    /// normalised away as dot segments, so their dots are encoded too.
    /// </summary>
    private static string Segment(string value) => value switch
    {
        "." => "%2E",
        ".." => "%2E%2E",
        _ => Uri.EscapeDataString(value),
    };
}
