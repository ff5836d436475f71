using System.Security.Cryptography;
using System.Text;
using Gateway.FakeTaskProvider.Services;
using Microsoft.Extensions.Options;

namespace Gateway.FakeTaskProvider.Infrastructure;

internal static class RequestJournalMiddleware
{
    /// <summary>
    /// Journals every request but the control API's and the probes, and checks the API key on
    /// <c>/v1</c>: <c>Authorization: Bearer {key}</c>, <c>X-Api-Key</c> or <c>?key=</c>.
    /// </summary>
    public static WebApplication UseRequestJournal(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var journal = app.Services.GetRequiredService<RequestJournal>();
        var options = app.Services.GetRequiredService<IOptions<FakeProviderOptions>>().Value;
        var time = app.Services.GetRequiredService<TimeProvider>();
        app.Use(async (context, next) =>
        {
            var path = context.Request.Path.Value ?? "";
            if (path.StartsWith("/_fake", StringComparison.Ordinal) || path is "/healthz" or "/alive")
            {
                await next(context).ConfigureAwait(false);
                return;
            }

            var headers = context.Request.Headers.ToDictionary(h => h.Key.ToLowerInvariant(), h => h.Value.ToString(), StringComparer.Ordinal);
            var run = context.Request.Headers["X-Fake-Run"].ToString() is { Length: > 0 } r ? r : null;
            if (options.ApiKey is { Length: > 0 } key && path.StartsWith("/v1", StringComparison.Ordinal) && !Presents(context.Request, key))
            {
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                journal.Add(new JournalEntry(time.GetUtcNow(), context.Request.Method, path, context.Request.QueryString.Value ?? "", headers, run, 401));
                await context.Response.WriteAsJsonAsync(new { errorCode = "UNAUTHORIZED", message = "A valid API key is required." }).ConfigureAwait(false);
                return;
            }

            try
            {
                await next(context).ConfigureAwait(false);
            }
            finally
            {
                journal.Add(new JournalEntry(time.GetUtcNow(), context.Request.Method, path, context.Request.QueryString.Value ?? "", headers, run, context.Response.StatusCode));
            }
        });
        return app;
    }

    private static bool Presents(HttpRequest request, string key)
    {
        var authorization = request.Headers.Authorization.ToString();
        string[] candidates =
        [
            authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization[7..].Trim() : "",
            request.Headers["X-Api-Key"].ToString(),
            request.Query["key"].ToString(),
        ];
        var expected = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        return candidates.Any(c => c.Length > 0 && CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(c)), expected));
    }
}
