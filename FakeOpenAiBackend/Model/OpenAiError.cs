using System.Text.Json.Nodes;

namespace Gateway.FakeOpenAiBackend.Model;

/// <summary>
/// An error as OpenAI answers it: the HTTP status and <c>{"error":{"message","type","param","code"}}</c>.
/// Messages follow OpenAI's wording where clients or tests might look at them.
/// </summary>
internal sealed record OpenAiError(int Status, string Message, string Type, string? Param = null, string? Code = null)
{
    public static OpenAiError InvalidRequest(string message, string? param = null, string? code = null) =>
        new(StatusCodes.Status400BadRequest, message, "invalid_request_error", param, code);

    public static OpenAiError MissingParameter(string param) =>
        InvalidRequest($"Missing required parameter: '{param}'.", param, "missing_required_parameter");

    public static OpenAiError InvalidType(string param, string expected) =>
        InvalidRequest($"Invalid type for '{param}': expected {expected}.", param, "invalid_type");

    public static OpenAiError InvalidValue(string param, string message) =>
        InvalidRequest($"Invalid value for '{param}': {message}", param, "invalid_value");

    public static OpenAiError UnparsableBody { get; } = InvalidRequest(
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)");

    public static OpenAiError MissingModel { get; } = InvalidRequest("you must provide a model parameter");

    public static OpenAiError ModelNotFound(string model) => new(
        StatusCodes.Status404NotFound, $"The model `{model}` does not exist or you do not have access to it.", "invalid_request_error", Code: "model_not_found");

    public static OpenAiError UnknownUrl(string method, string path) => new(
        StatusCodes.Status404NotFound, $"Invalid URL ({method} {path})", "invalid_request_error");

    // OpenAI echoes a masked key; the fake never echoes any part of a secret.
    public static OpenAiError ApiKey(bool provided) => provided
        ? new(StatusCodes.Status401Unauthorized, "Incorrect API key provided.", "invalid_request_error", Code: "invalid_api_key")
        : new(StatusCodes.Status401Unauthorized, "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).", "invalid_request_error");

    public static OpenAiError BadBehavior(string text) =>
        InvalidRequest($"Unknown fake behavior '{text}'. Expected {FakeBehavior.Grammar}.", "x-fake-behavior", "invalid_fake_behavior");

    /// <summary>The error a fault injection answers with, worded as OpenAI words its own.</summary>
    public static OpenAiError Injected(int status) => status switch
    {
        StatusCodes.Status429TooManyRequests => new(status, "Rate limit reached for requests (injected by the fake backend). Please try again later.", "requests", Code: "rate_limit_exceeded"),
        StatusCodes.Status500InternalServerError => new(status, "The server had an error while processing your request. Sorry about that!", "server_error"),
        StatusCodes.Status503ServiceUnavailable => new(status, "The engine is currently overloaded, please try again later.", "server_error"),
        >= 500 => new(status, $"The fake backend was told to fail with {status}.", "server_error"),
        _ => new(status, $"The fake backend was told to refuse with {status}.", "invalid_request_error"),
    };

    public JsonObject ToJson() => new()
    {
        ["error"] = new JsonObject
        {
            ["message"] = Message,
            ["type"] = Type,
            ["param"] = Param,
            ["code"] = Code,
        },
    };
}
