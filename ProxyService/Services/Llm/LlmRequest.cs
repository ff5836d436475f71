using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Gateway.ProxyService.Services.Llm;

/// <summary>
/// A client's OpenAI request body, parsed once: the model it names, whether it asks for a stream,
/// and the body to send a backend with the backend's own name for the model.
/// </summary>
internal sealed class LlmRequest
{
    private readonly JsonObject _body;

    private LlmRequest(JsonObject body, string model, bool stream, bool clientAskedForUsage)
    {
        _body = body;
        Model = model;
        Stream = stream;
        ClientAskedForUsage = clientAskedForUsage;
    }

    /// <summary>The model as the client named it (a canonical name or an alias).</summary>
    public string Model { get; }

    /// <summary>The client asked for server-sent events.</summary>
    public bool Stream { get; }

    /// <summary>
    /// The client itself asked for the usage chunk of a stream (<c>stream_options.include_usage</c>).
    /// The gateway always asks the backend for it, and passes it on only to a client that asked.
    /// </summary>
    public bool ClientAskedForUsage { get; }

    /// <summary>The prompt's tokens by <see cref="TokenEstimate"/>, for a call whose backend never said; null when the body has no prompt the estimate knows.</summary>
    public long? EstimatedPromptTokens() => TokenEstimate.OfPrompt(_body);

    /// <summary>
    /// Reads <paramref name="json"/> (a body read by <see cref="LlmRequestReader"/>): a non-empty
    /// string <c>model</c> and, if present, a boolean <c>stream</c>.
    /// </summary>
    public static bool TryParse(JsonObject json, [NotNullWhen(true)] out LlmRequest? request, [NotNullWhen(false)] out OpenAiError? error)
    {
        ArgumentNullException.ThrowIfNull(json);
        request = null;
        if (!json.TryGetPropertyValue("model", out var modelNode) || modelNode is not JsonValue modelValue
            || !modelValue.TryGetValue<string>(out var model) || string.IsNullOrWhiteSpace(model))
        {
            error = OpenAiError.InvalidBody("You must provide a model parameter (a non-empty string).", "model");
            return false;
        }

        var stream = false;
        if (json.TryGetPropertyValue("stream", out var streamNode) && streamNode is not null
            && (streamNode is not JsonValue streamValue || !streamValue.TryGetValue(out stream)))
        {
            error = OpenAiError.InvalidBody("'stream' must be a boolean.", "stream");
            return false;
        }

        var askedForUsage = json["stream_options"] is JsonObject options && options["include_usage"] is JsonValue include
            && include.TryGetValue<bool>(out var included) && included;
        request = new LlmRequest(json, model, stream, askedForUsage);
        error = null;
        return true;
    }

    /// <summary>
    /// The body for a backend: the client's, with the backend's name for the model; a stream also
    /// asks for <c>stream_options.include_usage</c>, so its last chunk carries the usage to report.
    /// </summary>
    public byte[] ForBackend(string upstreamModel)
    {
        _body["model"] = upstreamModel;
        if (Stream)
        {
            if (_body["stream_options"] is not JsonObject streamOptions)
            {
                streamOptions = [];
                _body["stream_options"] = streamOptions;
            }

            streamOptions["include_usage"] = true;
        }

        return JsonSerializer.SerializeToUtf8Bytes(_body);
    }
}
