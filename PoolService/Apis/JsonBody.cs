using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Gateway.PoolService.Apis;

/// <summary>
/// Reads a JSON request body with our own 400s: the framework's binding failures carry no stable
/// problem type, and it would read bodies of any size.
/// </summary>
internal static class JsonBody
{
    public const int MaxBytes = 64 * 1024;

    /// <summary>
    /// The body as <typeparamref name="T"/>, or the errors to answer 400 with: a Content-Type other
    /// than JSON (none is taken as JSON), more than <see cref="MaxBytes"/>, malformed JSON, a value
    /// of the wrong shape (unknown fields included where the type disallows them), or <c>null</c>.
    /// Messages name the JSON path, never the offending value.
    /// </summary>
    public static async Task<(T? Value, Dictionary<string, string[]>? Errors)> TryReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentType is not null && !request.HasJsonContentType())
        {
            return Fail<T>("must be JSON (Content-Type: application/json)");
        }

        if (request.ContentLength > MaxBytes)
        {
            return Fail<T>($"must be at most {MaxBytes} bytes");
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > MaxBytes)
            {
                return Fail<T>($"must be at most {MaxBytes} bytes");
            }
        }

        if (buffer.Length == 0)
        {
            return Fail<T>("is required: a JSON object");
        }

        var json = request.HttpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        try
        {
            return JsonSerializer.Deserialize<T>(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), json) is { } value
                ? (value, null)
                : Fail<T>("must be a JSON object, not null");
        }
        catch (JsonException e)
        {
            // System.Text.Json names the path and position, not the value; the inner exception could.
            return Fail<T>("is not valid JSON for this request" + (e.Path is { } path ? $" (at {path})" : ""));
        }
    }

    private static (T? Value, Dictionary<string, string[]> Errors) Fail<T>(string message)
        where T : class => (null, new Dictionary<string, string[]>(StringComparer.Ordinal) { ["body"] = [message] });
}
