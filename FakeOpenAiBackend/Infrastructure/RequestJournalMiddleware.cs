using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Gateway.FakeOpenAiBackend.Model;
using Gateway.FakeOpenAiBackend.Services;
using Microsoft.Extensions.Options;

namespace Gateway.FakeOpenAiBackend.Infrastructure;

internal static class RequestJournalMiddleware
{
    /// <summary>
    /// For every <c>/v1</c> request: reads the JSON body once, journals the request before anything
    /// can refuse it, stamps an <c>x-request-id</c> as OpenAI does, and checks the API key.
    /// </summary>
    public static WebApplication UseRequestJournal(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var journal = app.Services.GetRequiredService<RequestJournal>();
        var options = app.Services.GetRequiredService<IOptions<FakeOpenAiBackendOptions>>().Value;
        var logger = app.Services.GetRequiredService<ILogger<FakeResponder>>();
        var expectedKey = options.ApiKey is { Length: > 0 } key ? SHA256.HashData(Encoding.UTF8.GetBytes(key)) : null;
        app.Use(async (context, next) =>
        {
            var request = context.Request;
            if (!request.Path.StartsWithSegments("/v1", StringComparison.Ordinal))
            {
                await next(context).ConfigureAwait(false);
                return;
            }

            var body = await ReadJsonAsync(request, context.RequestAborted).ConfigureAwait(false);
            var entry = journal.Add(request, body);
            context.Features.Set(new ReceivedRequestFeature(entry.Sequence, body));
            context.Response.Headers["x-request-id"] = "req_" + Guid.NewGuid().ToString("N");
            try
            {
                var presented = request.Headers.Authorization.ToString() is var authorization && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
                    ? authorization[7..].Trim()
                    : "";
                if (expectedKey is not null && !CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), expectedKey))
                {
                    Log.Refused(logger, request.Method, request.Path.Value ?? "", presented.Length == 0 ? "no API key" : "wrong API key");
                    await FakeResponder.ErrorAsync(context, OpenAiError.ApiKey(provided: presented.Length > 0)).ConfigureAwait(false);
                    return;
                }

                await next(context).ConfigureAwait(false);
            }
            finally
            {
                journal.Complete(entry.Sequence, context.Response.StatusCode, context.RequestAborted.IsCancellationRequested);
            }
        });
        return app;
    }

    private static async Task<JsonElement?> ReadJsonAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method) || request.ContentLength == 0)
        {
            return null;
        }

        try
        {
            using var document = await JsonDocument.ParseAsync(request.Body, cancellationToken: cancellationToken).ConfigureAwait(false);
            return document.RootElement.Clone();
        }
        catch (JsonException)
        {
            // Journalled without a body; the endpoint answers OpenAI's "could not parse the JSON body".
            return null;
        }
    }
}
