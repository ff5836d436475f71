using System.Globalization;
using System.Text.Json;

namespace Gateway.ProxyService.Services.Llm;

/// <summary>
/// An error the gateway itself answers on <c>/v1/*</c>, in OpenAI's shape
/// (<c>{"error":{"message","type","param","code"}}</c>) so that OpenAI clients surface it as they
/// would one of OpenAI's own.
/// </summary>
internal sealed class OpenAiError(int statusCode, string message, string type, string? code, string? param = null, long? retryAfterSeconds = null) : IResult
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public int StatusCode => statusCode;

    public string? Code => code;

    public static OpenAiError InvalidBody(string message, string? param = null) => new(StatusCodes.Status400BadRequest, message, "invalid_request_error", "invalid_request", param);

    public static OpenAiError ModelNotFound(string model) =>
        new(StatusCodes.Status404NotFound, $"The model '{model}' does not exist or you do not have access to it.", "invalid_request_error", "model_not_found", "model");

    public static OpenAiError TooLarge(int limit) =>
        new(StatusCodes.Status413RequestEntityTooLarge, $"The request body is larger than {limit.ToString(CultureInfo.InvariantCulture)} bytes.", "invalid_request_error", "request_too_large");

    public static OpenAiError Exhausted(string model, long retryAfterSeconds) =>
        new(StatusCodes.Status503ServiceUnavailable, $"Every backend serving '{model}' is busy or cooling down; retry after {retryAfterSeconds.ToString(CultureInfo.InvariantCulture)} s.", "server_error", "all_backends_exhausted", null, retryAfterSeconds);

    public static OpenAiError PoolUnavailable() =>
        new(StatusCodes.Status503ServiceUnavailable, "The backend pool cannot be reached; retry shortly.", "server_error", "pool_unavailable", null, 1);

    public static OpenAiError BadGateway(string message) => new(StatusCodes.Status502BadGateway, message, "server_error", "bad_gateway");

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        response.StatusCode = statusCode;
        if (retryAfterSeconds is { } seconds)
        {
            response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }

        response.ContentType = "application/json";
        var body = new { error = new { message, type, param, code } };
        await JsonSerializer.SerializeAsync(response.Body, body, Json, httpContext.RequestAborted).ConfigureAwait(false);
    }
}
