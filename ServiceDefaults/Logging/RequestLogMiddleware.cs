using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.ServiceDefaults.Logging;

/// <summary>
/// One line per request, in place of ASP.NET Core hosting's "Request starting/finished" lines
/// (switched off by <see cref="RedactedLoggingExtensions"/>: they carry the raw query string):
/// the method, the path and the query with its secrets redacted, the status and the duration.
/// </summary>
internal sealed partial class RequestLogMiddleware(RequestDelegate next, QueryRedaction redaction, TimeProvider clock, ILogger<RequestLogMiddleware> logger)
{
    public async Task InvokeAsync(HttpContext context)
    {
        if (!logger.IsEnabled(LogLevel.Information))
        {
            await next(context).ConfigureAwait(false);
            return;
        }

        var started = clock.GetTimestamp();
        var completed = false;
        try
        {
            await next(context).ConfigureAwait(false);
            completed = true;
        }
        finally
        {
            // An exception that escaped every handler is answered 500 by the server, unless the answer had begun.
            var response = context.Response;
            var status = completed || response.HasStarted ? response.StatusCode : StatusCodes.Status500InternalServerError;
            var request = context.Request;
            var target = redaction.Redact(request.PathBase.ToUriComponent() + request.Path.ToUriComponent() + request.QueryString.ToUriComponent());
            Finished(logger, request.Protocol, request.Method, target, status, clock.GetElapsedTime(started).TotalMilliseconds);
        }
    }

    [LoggerMessage(1, LogLevel.Information, "{Protocol} {Method} {Target} answered {StatusCode} in {ElapsedMilliseconds:0.0} ms")]
    private static partial void Finished(ILogger logger, string protocol, string method, string target, int statusCode, double elapsedMilliseconds);
}
