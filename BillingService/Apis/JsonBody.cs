using System.Buffers;
using System.Text.Json;
using Gateway.BillingService.Services;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Gateway.BillingService.Apis;

/// <summary>
/// Reads a JSON request body with our own errors: the framework's binding failures are bare 400s
/// without a stable problem type, and would read bodies of any size.
/// </summary>
internal static class JsonBody
{
    private const string Field = "body";

    /// <summary>
    /// The body as <typeparamref name="T"/>, or the errors to answer 400 with: a Content-Type
    /// other than JSON (none is taken as JSON), more than <see cref="LedgerLimits.MaxBodyBytes"/>,
    /// malformed JSON, a JSON value of the wrong shape, or <c>null</c>.
    /// </summary>
    public static async Task<(T? Value, Dictionary<string, string[]>? Errors)> TryReadAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.ContentType is not null && !request.HasJsonContentType())
        {
            return Fail<T>("must be JSON (Content-Type: application/json)");
        }

        if (request.ContentLength > LedgerLimits.MaxBodyBytes)
        {
            return Fail<T>($"must be at most {LedgerLimits.MaxBodyBytes} bytes");
        }

        var buffer = new ArrayBufferWriter<byte>(Math.Min(4096, (int)(request.ContentLength ?? 4096) + 1));
        while (true)
        {
            var memory = buffer.GetMemory(4096);
            var read = await request.Body.ReadAsync(memory, cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                break;
            }

            buffer.Advance(read);
            if (buffer.WrittenCount > LedgerLimits.MaxBodyBytes)
            {
                return Fail<T>($"must be at most {LedgerLimits.MaxBodyBytes} bytes");
            }
        }

        if (buffer.WrittenCount == 0)
        {
            return Fail<T>("is required: a JSON object");
        }

        var json = request.HttpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
        try
        {
            return JsonSerializer.Deserialize<T>(buffer.WrittenSpan, json) is { } value ? (value, null) : Fail<T>("must be a JSON object, not null");
        }
        catch (JsonException e)
        {
            // The message names the path and position, never the offending value.
            return Fail<T>("is not valid JSON for this request: " + e.Message);
        }
    }

    private static (T? Value, Dictionary<string, string[]> Errors) Fail<T>(string message)
        where T : class => (null, new Dictionary<string, string[]>(StringComparer.Ordinal) { [Field] = [message] });
}
