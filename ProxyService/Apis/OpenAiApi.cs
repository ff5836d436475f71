using Gateway.ProxyService.Services.Llm;
using Gateway.ServiceDefaults.Security;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace Gateway.ProxyService.Apis;

/// <summary>
/// The OpenAI-compatible API (<c>/v1/*</c>), public: callers use it with any OpenAI client and the
/// base URL <c>http://{proxy}/v1</c>. Their key is never forwarded; each backend gets its own.
/// Errors keep OpenAI's shape, the framework's own included (<see cref="OpenAiProblemWriter"/>:
/// an unknown path is 404, a wrong method 405, a body Kestrel refuses 400, 408 or 413).
/// </summary>
internal static class OpenAiApi
{
    private const string Prefix = "/v1";

    /// <summary>True for a request below <c>/v1</c> (without regard to case, as routing matches), whether a route serves it or not.</summary>
    public static bool Serves(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Path.StartsWithSegments(Prefix, StringComparison.OrdinalIgnoreCase);
    }

    public static IEndpointRouteBuilder MapOpenAiApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var api = app.MapGroup(Prefix).AllowWithoutAppApiToken().AddEndpointFilter(LimitBody);
        api.MapGet("/models", ListModelsAsync);

        // One flow for the three: only the path below the backend's base URL differs.
        api.MapPost("/chat/completions", (HttpContext context, LlmRequestReader reader, LlmRouter router) => ForwardAsync(context, reader, router, "/chat/completions"));
        api.MapPost("/completions", (HttpContext context, LlmRequestReader reader, LlmRouter router) => ForwardAsync(context, reader, router, "/completions"));
        api.MapPost("/embeddings", (HttpContext context, LlmRequestReader reader, LlmRouter router) => ForwardAsync(context, reader, router, "/embeddings"));
        return app;
    }

    /// <summary>
    /// Every route's body is bounded by <see cref="LlmOptions.MaxRequestBodyBytes"/> in Kestrel
    /// too, so that a body no handler reads (a GET's, a chunked one that never ends) is cut there
    /// and answered 413 rather than drained up to the server's much larger limit.
    /// </summary>
    private static ValueTask<object?> LimitBody(EndpointFilterInvocationContext invocation, EndpointFilterDelegate next)
    {
        var context = invocation.HttpContext;
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = context.RequestServices.GetRequiredService<IOptions<LlmOptions>>().Value.MaxRequestBodyBytes;
        }

        return next(invocation);
    }

    /// <summary>200 the models the pools serve, aliases included, as OpenAI's model list; 503 when PoolService cannot be reached.</summary>
    public static async Task<IResult> ListModelsAsync(PoolClient pool, CancellationToken cancellationToken)
    {
        var models = await pool.ModelsAsync(cancellationToken).ConfigureAwait(false);
        if (models is null)
        {
            return OpenAiError.PoolUnavailable();
        }

        return TypedResults.Ok(new
        {
            @object = "list",
            data = models.Select(id => new { id, @object = "model", created = 0, owned_by = "gateway" }),
        });
    }

    /// <summary>
    /// A request for <paramref name="endpoint"/> of a leased backend: the backend's answer, or 400 /
    /// 404 / 413 / 503 in OpenAI's error shape.
    /// </summary>
    public static async Task<IResult> ForwardAsync(HttpContext context, LlmRequestReader reader, LlmRouter router, string endpoint)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(reader);
        var read = await reader.ReadAsync(context.Request, context.RequestAborted).ConfigureAwait(false);
        if (!read.TryGetValue(out var json, out var refusal))
        {
            return reader.ErrorFor(refusal);
        }

        if (!LlmRequest.TryParse(json, out var request, out var error))
        {
            return error;
        }

        return await router.SendAsync(context, request, endpoint).ConfigureAwait(false);
    }
}
