using Microsoft.AspNetCore.Http.Features;

namespace Gateway.ProxyService.Infrastructure.Forwarding;

/// <summary>
/// A client's request body, read whole before anything is forwarded, so that a body the provider
/// must not see (over the limit, broken chunking, stalled) is answered by the gateway and never
/// half-sent: a streamed body that broke midway would reach the provider and come back as a 502.
/// A body that framing errors break surfaces as Kestrel's <see cref="BadHttpRequestException"/>
/// (400, 408), which the framework answers with its status; only "too large" is answered here,
/// with the provider's limit.
/// </summary>
internal static class RequestBody
{
    /// <summary>Bodies up to this size are buffered in memory, larger ones in a temporary file.</summary>
    private const int MemoryThreshold = 64 * 1024;

    /// <summary>The whole body, or null when it is longer than <paramref name="limit"/>.</summary>
    public static async Task<byte[]?> ReadAsync(HttpRequest request, long limit)
    {
        ArgumentNullException.ThrowIfNull(request);
        using var buffer = new MemoryStream();
        return await CopyAsync(request, buffer, limit).ConfigureAwait(false) ? buffer.ToArray() : null;
    }

    /// <summary>
    /// Reads the whole body into a buffer that then stands in for it (rewound, for the forwarder to
    /// stream from); false when it is longer than <paramref name="limit"/>. A request that cannot
    /// have a body (a GET without Content-Length or chunking) is left as it is.
    /// </summary>
    public static async Task<bool> BufferAsync(HttpRequest request, long limit)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>() is { CanHaveBody: false })
        {
            return true;
        }

        request.EnableBuffering(MemoryThreshold);
        if (!await CopyAsync(request, Stream.Null, limit).ConfigureAwait(false))
        {
            return false;
        }

        request.Body.Position = 0;
        return true;
    }

    private static async Task<bool> CopyAsync(HttpRequest request, Stream into, long limit)
    {
        var chunk = new byte[16 * 1024];
        long total = 0;
        try
        {
            while (true)
            {
                var read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted).ConfigureAwait(false);
                if (read == 0)
                {
                    return true;
                }

                total += read;
                if (total > limit)
                {
                    return false;
                }

                await into.WriteAsync(chunk.AsMemory(0, read), request.HttpContext.RequestAborted).ConfigureAwait(false);
            }
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return false;
        }
    }
}
