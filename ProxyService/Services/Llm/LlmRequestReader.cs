using System.Text.Json;
using System.Text.Json.Nodes;
using Gateway.ServiceDefaults.Http;
using Microsoft.Extensions.Options;

namespace Gateway.ProxyService.Services.Llm;

/// <summary>
/// Reads a client's body on <c>/v1</c> as one JSON object, at most
/// <see cref="LlmOptions.MaxRequestBodyBytes"/>, by <see cref="JsonBodyReader"/>'s rules: text that
/// two parsers could read two ways (a name repeated in an object at any depth, invalid UTF-8, an
/// escape that is no text, anything after the value, nesting deeper than 64) is refused instead of
/// being passed on to a backend that may read it the other way.
/// </summary>
/// <remarks>
/// OpenAI's clients send no Content-Type check worth enforcing, so any is read as JSON. Names are
/// compared as the backends read them: exactly, so <c>Model</c> and <c>model</c> are two names.
/// </remarks>
internal sealed class LlmRequestReader
{
    /// <summary>The message of every refusal but a body too large: it never says which byte was wrong, so it never echoes the client's content.</summary>
    public const string UnreadableMessage = "We could not parse the JSON body of your request. The body must be one JSON object in UTF-8, each property named once.";

    private readonly JsonBodyReader _reader;

    public LlmRequestReader(IOptions<LlmOptions> options)
    {
        ArgumentNullException.ThrowIfNull(options);
        MaxBytes = options.Value.MaxRequestBodyBytes;
        _reader = new JsonBodyReader(new JsonBodyOptions { MaxBytes = MaxBytes, SerializerOptions = JsonSerializerOptions.Default, RequireJsonContentType = false });
    }

    /// <summary>The largest body read, in bytes.</summary>
    public int MaxBytes { get; }

    /// <summary>The body as a JSON object, or why it was refused (<see cref="ErrorFor"/> answers it).</summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public Task<JsonBodyResult<JsonObject>> ReadAsync(HttpRequest request, CancellationToken cancellationToken) =>
        _reader.ReadAsync<JsonObject>(request, cancellationToken);

    /// <summary>The OpenAI-shaped answer to a refused body: 413 for one too large, else 400.</summary>
    public OpenAiError ErrorFor(JsonBodyRefusal refusal)
    {
        ArgumentNullException.ThrowIfNull(refusal);
        return refusal.Reason == JsonBodyRefusalReason.TooLarge ? OpenAiError.TooLarge(MaxBytes) : OpenAiError.InvalidBody(UnreadableMessage);
    }
}
