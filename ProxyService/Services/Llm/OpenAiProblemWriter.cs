using Gateway.ProxyService.Apis;
using Microsoft.Extensions.Options;

namespace Gateway.ProxyService.Services.Llm;

/// <summary>
/// Writes the problems of <c>/v1</c> requests in OpenAI's error shape: the ones the framework
/// answers by itself through <see cref="IProblemDetailsService"/> (ServiceDefaults' status-code
/// pages for an unknown path or a wrong method, its exception handler for a body Kestrel refused
/// or a failure, the app-token check). Ahead of the default writer, which keeps every other path.
/// </summary>
internal sealed class OpenAiProblemWriter(IOptions<LlmOptions> options) : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        return OpenAiApi.Serves(context.HttpContext.Request);
    }

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var status = context.ProblemDetails.Status ?? context.HttpContext.Response.StatusCode;
        return new(OpenAiError.ForStatus(status, options.Value.MaxRequestBodyBytes).ExecuteAsync(context.HttpContext));
    }
}
