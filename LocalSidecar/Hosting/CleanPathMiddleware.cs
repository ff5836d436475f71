namespace Gateway.LocalSidecar.Hosting;

/// <summary>
/// Routes the API by the cleaned path, as daprd does (its <c>CleanPathMiddleware</c> and
/// <c>StripSlashesMiddleware</c>): repeated slashes collapse, <c>.</c> and <c>..</c> segments
/// resolve and a trailing slash goes. The Dapr.Actors SDK depends on it: its default endpoint
/// (<c>DAPR_HTTP_PORT</c>) ends in a slash and it appends <c>/v1.0/actors/...</c>, so every call
/// it makes starts with <c>//</c>. The raw target is left alone for invocation, which cleans the
/// method path itself.
/// </summary>
internal sealed class CleanPathMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        var path = context.Request.Path.Value;
        if (!string.IsNullOrEmpty(path) && NeedsCleaning(path))
        {
            context.Request.Path = new PathString(Clean(path));
        }

        return next(context);
    }

    /// <summary>Go's <c>path.Clean</c> for an absolute path, without its trailing slash.</summary>
    public static string Clean(string path)
    {
        var segments = new List<string>();
        foreach (var segment in path.Split('/'))
        {
            switch (segment)
            {
                case "" or ".":
                    break;
                case "..":
                    if (segments.Count > 0)
                    {
                        segments.RemoveAt(segments.Count - 1);
                    }

                    break;
                default:
                    segments.Add(segment);
                    break;
            }
        }

        return "/" + string.Join('/', segments);
    }

    private static bool NeedsCleaning(string path) =>
        path.Contains("//", StringComparison.Ordinal)
        || path.Contains("/./", StringComparison.Ordinal)
        || path.Contains("/../", StringComparison.Ordinal)
        || path.EndsWith("/.", StringComparison.Ordinal)
        || path.EndsWith("/..", StringComparison.Ordinal)
        || (path.Length > 1 && path.EndsWith('/'));
}
