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

    /// <summary>
    /// The error for a status the framework answers by itself: no such route, a wrong method, a
    /// body Kestrel refused (malformed, too slow, too large), a failure that escaped a handler.
    /// A fixed message per status, never an exception's.
    /// </summary>
    public static OpenAiError ForStatus(int status, int maxRequestBodyBytes) => status switch
    {
        StatusCodes.Status400BadRequest => InvalidBody("We could not read the body of your request."),
        StatusCodes.Status401Unauthorized => Invalid(status, "The request is not authorized.", "unauthorized"),
        StatusCodes.Status404NotFound => Invalid(status, "Invalid URL: there is no such endpoint.", "unknown_url"),
        StatusCodes.Status405MethodNotAllowed => Invalid(status, "Invalid method for this URL.", "method_not_allowed"),
        StatusCodes.Status408RequestTimeout => Invalid(status, "The request body arrived too slowly.", "request_timeout"),
        StatusCodes.Status413PayloadTooLarge => TooLarge(maxRequestBodyBytes),
        >= 400 and < 500 => Invalid(status, "The request cannot be served.", "invalid_request"),
        _ => new(Math.Max(status, StatusCodes.Status500InternalServerError), "The gateway failed to answer this request.", "server_error", "internal_error"),
    };

    private static OpenAiError Invalid(int status, string message, string code) => new(status, message, "invalid_request_error", code);

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
