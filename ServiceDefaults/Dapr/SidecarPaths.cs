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
    /// Refuses a state key that cannot travel as a URL path segment: daprd reads and deletes keys
    /// from the path, where a <c>/</c> (even encoded) splits the route and <c>.</c> or <c>..</c> are
    /// normalised away (dapr/dapr#8746). Such a key could be written through a body but never read
    /// back, so it is refused for every call.
    /// </summary>
    public static void CheckStateKey(string key, string paramName)
    {
        ArgumentException.ThrowIfNullOrEmpty(key, paramName);
        if (key.Contains('/', StringComparison.Ordinal) || key is "." or "..")
        {
            throw new ArgumentException($"A state key must not contain '/' nor be '.' or '..' (the sidecar cannot address it in a URL): '{key}'.", paramName);
        }
    }

    /// <summary>One percent-encoded path segment.</summary>
    private static string Segment(string value) => Uri.EscapeDataString(value);
}
