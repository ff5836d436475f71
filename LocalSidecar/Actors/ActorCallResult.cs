using Gateway.LocalSidecar.Api;

namespace Gateway.LocalSidecar.Actors;

/// <summary>What the caller of an actor method gets: the app's answer, or daprd's error.</summary>
internal sealed record ActorCallResult(int StatusCode, IReadOnlyList<KeyValuePair<string, string>> Headers, string? ContentType, byte[] Body, bool CancelReminder = false)
{
    public static ActorCallResult FromError(DaprError error) =>
        new(error.StatusCode, [], "application/json", System.Text.Encoding.UTF8.GetBytes(error.ToJson()));

    public bool IsSuccess => StatusCode == StatusCodes.Status200OK;

    public async Task WriteAsync(HttpContext context)
    {
        var response = context.Response;
        response.StatusCode = StatusCode;
        foreach (var (name, value) in Headers)
        {
            response.Headers.Append(name, value);
        }

        if (ContentType is { Length: > 0 })
        {
            response.ContentType = ContentType;
        }

        // daprd reads the app's whole answer and sends it with its length (Go's net/http does for an
        // answer written at once), not chunked.
        response.ContentLength = Body.Length;
        await response.Body.WriteAsync(Body, context.RequestAborted).ConfigureAwait(false);
    }
}
