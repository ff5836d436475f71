using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;

namespace Gateway.ServiceDefaults.Problems;

/// <summary>
/// The problems the framework answers by itself rather than a handler: status-code pages (an
/// unknown route, a wrong method) and exceptions that escape a handler. A malformed or stalled
/// request body surfaces as a <see cref="BadHttpRequestException"/> carrying the right 4xx
/// (400 bad chunking, 408 too slow, 411, 413 too large, 431), which would otherwise be a 500.
/// Every such answer gets a stable <c>type</c> and <c>code</c> like the services' own problems,
/// and never the exception's message.
/// </summary>
internal static class FrameworkProblems
{
    private const string DefaultTypePrefix = "https://tools.ietf.org/";

    /// <summary>The status an exception that escaped a handler is answered with.</summary>
    public static int StatusCodeOf(Exception exception) =>
        exception is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError;

    /// <summary>A client's malformed request is its fault, not an error of the service: no error log.</summary>
    public static bool IsClientFault(ExceptionHandlerSuppressDiagnosticsContext context) =>
        context.Exception is BadHttpRequestException;

    /// <summary>Replaces the framework's RFC-link <c>type</c> with ours and adds the <c>code</c> extension.</summary>
    public static void Customize(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        if (problem.Type is not null && !problem.Type.StartsWith(DefaultTypePrefix, StringComparison.Ordinal))
        {
            return;
        }

        var (type, code, detail) = Describe(problem.Status ?? context.HttpContext.Response.StatusCode);
        problem.Type = type;
        problem.Detail ??= detail;
        problem.Extensions.TryAdd(Http.ProblemResults.CodeExtension, code);
    }

    /// <summary>The type, code and a fixed detail for a status the framework answers with.</summary>
    public static (string Type, string Code, string Detail) Describe(int status) => status switch
    {
        StatusCodes.Status400BadRequest => (ProblemTypes.BadRequest, "bad_request", "The request is malformed."),
        StatusCodes.Status401Unauthorized => (ProblemTypes.Unauthorized, "unauthorized", "Authentication is required."),
        StatusCodes.Status404NotFound => (ProblemTypes.NotFound, "not_found", "No such route."),
        StatusCodes.Status405MethodNotAllowed => (ProblemTypes.MethodNotAllowed, "method_not_allowed", "This route does not accept this method."),
        StatusCodes.Status408RequestTimeout => (ProblemTypes.RequestTimeout, "request_timeout", "The request body arrived too slowly."),
        StatusCodes.Status411LengthRequired => (ProblemTypes.LengthRequired, "length_required", "The request needs a Content-Length."),
        StatusCodes.Status413PayloadTooLarge => (ProblemTypes.PayloadTooLarge, "payload_too_large", "The request body is too large."),
        StatusCodes.Status415UnsupportedMediaType => (ProblemTypes.UnsupportedMediaType, "unsupported_media_type", "The request body's Content-Type is not accepted here."),
        StatusCodes.Status431RequestHeaderFieldsTooLarge => (ProblemTypes.HeadersTooLarge, "headers_too_large", "The request headers are too large."),
        >= 400 and < 500 => (ProblemTypes.BadRequest, "bad_request", "The request cannot be served."),
        _ => (ProblemTypes.Internal, "internal", "The service failed to answer; nothing about this request is known to have been written."),
    };
}
