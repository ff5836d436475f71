using System.Diagnostics.CodeAnalysis;
using System.Text.Json;
using Gateway.FakeOpenAiBackend.Model;

namespace Gateway.FakeOpenAiBackend.Services;

/// <summary>
/// Reads and validates request bodies as OpenAI does, answering the first problem as an
/// <see cref="OpenAiError"/> with the offending <c>param</c>. Fields the fake has no use for are ignored.
/// </summary>
internal static class OpenAiRequestReader
{
    private static readonly string[] Roles = ["system", "developer", "user", "assistant", "tool", "function"];

    public static bool TryReadChat(JsonElement? body, [NotNullWhen(true)] out ChatRequest? request, [NotNullWhen(false)] out OpenAiError? error)
    {
        request = null;
        var fields = new Fields(body);
        var model = fields.Model();
        var messages = fields.Messages();
        var stream = fields.Stream();
        var maxTokens = fields.Int("max_completion_tokens", 1) ?? fields.Int("max_tokens", 1);
        var n = fields.Int("n", 1, 128) ?? 1;
        if (fields.Error is { } problem)
        {
            error = problem;
            return false;
        }

        error = null;
        request = new ChatRequest(model!, messages!, stream, maxTokens, n);
        return true;
    }

    public static bool TryReadCompletion(JsonElement? body, [NotNullWhen(true)] out CompletionRequest? request, [NotNullWhen(false)] out OpenAiError? error)
    {
        request = null;
        var fields = new Fields(body);
        var model = fields.Model();
        var prompts = fields.Inputs("prompt", allowEmptyString: true);
        var stream = fields.Stream();
        var maxTokens = fields.Int("max_tokens", 0) ?? 16;
        var n = fields.Int("n", 1, 128) ?? 1;
        if (fields.Error is { } problem)
        {
            error = problem;
            return false;
        }

        error = null;
        request = new CompletionRequest(model!, prompts!, stream, maxTokens, n);
        return true;
    }

    public static bool TryReadEmbedding(JsonElement? body, [NotNullWhen(true)] out EmbeddingRequest? request, [NotNullWhen(false)] out OpenAiError? error)
    {
        request = null;
        var fields = new Fields(body);
        var model = fields.Model();
        var inputs = fields.Inputs("input", allowEmptyString: false);
        var format = fields.String("encoding_format") ?? "float";
        var dimensions = fields.Int("dimensions", 1, 65_536);
        if (fields.Error is null && format is not ("float" or "base64"))
        {
            fields.Fail(OpenAiError.InvalidValue("encoding_format", $"'{format}'. Supported values are: 'float' and 'base64'."));
        }

        if (fields.Error is { } problem)
        {
            error = problem;
            return false;
        }

        error = null;
        request = new EmbeddingRequest(model!, inputs!, format == "base64", dimensions);
        return true;
    }

    /// <summary>Reads fields one by one, keeping the first problem; once there is one, every read answers null.</summary>
    private sealed class Fields
    {
        private readonly JsonElement _body;

        public Fields(JsonElement? body)
        {
            if (body is not { ValueKind: JsonValueKind.Object } root)
            {
                Error = OpenAiError.UnparsableBody;
                return;
            }

            _body = root;
        }

        public OpenAiError? Error { get; private set; }

        public void Fail(OpenAiError error) => Error ??= error;

        public string? Model()
        {
            if (Error is null && _body.TryGetProperty("model", out var model) && model.ValueKind == JsonValueKind.String && model.GetString() is { Length: > 0 } name)
            {
                return name;
            }

            Fail(OpenAiError.MissingModel);
            return null;
        }

        public string? String(string name)
        {
            var value = Get(name, JsonValueKind.String, "a string");
            return value?.GetString();
        }

        public bool? Bool(string name)
        {
            if (Error is not null || !_body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (value.ValueKind is JsonValueKind.True or JsonValueKind.False)
            {
                return value.GetBoolean();
            }

            Fail(OpenAiError.InvalidType(name, "a boolean"));
            return null;
        }

        public int? Int(string name, int minimum, int maximum = int.MaxValue)
        {
            if (Get(name, JsonValueKind.Number, "an integer") is not { } value)
            {
                return null;
            }

            if (!value.TryGetInt32(out var number))
            {
                Fail(OpenAiError.InvalidType(name, "an integer"));
                return null;
            }

            if (number < minimum || number > maximum)
            {
                Fail(OpenAiError.InvalidValue(name, $"{number} is out of range; expected {minimum} to {maximum}."));
                return null;
            }

            return number;
        }

        public StreamRequest Stream()
        {
            var enabled = Bool("stream") ?? false;
            var includeUsage = false;
            if (Get("stream_options", JsonValueKind.Object, "an object") is { } options)
            {
                if (!enabled)
                {
                    Fail(OpenAiError.InvalidRequest("The 'stream_options' parameter is only allowed when 'stream' is enabled.", "stream_options"));
                }
                else if (options.TryGetProperty("include_usage", out var usage) && usage.ValueKind is not (JsonValueKind.True or JsonValueKind.False or JsonValueKind.Null))
                {
                    Fail(OpenAiError.InvalidType("stream_options.include_usage", "a boolean"));
                }
                else
                {
                    includeUsage = options.TryGetProperty("include_usage", out usage) && usage.ValueKind == JsonValueKind.True;
                }
            }

            return Error is null ? new StreamRequest(enabled, includeUsage) : StreamRequest.Off;
        }

        public List<ChatMessage>? Messages()
        {
            if (Error is not null)
            {
                return null;
            }

            if (!_body.TryGetProperty("messages", out var messages) || messages.ValueKind == JsonValueKind.Null)
            {
                Fail(OpenAiError.MissingParameter("messages"));
                return null;
            }

            if (messages.ValueKind != JsonValueKind.Array)
            {
                Fail(OpenAiError.InvalidType("messages", "an array"));
                return null;
            }

            if (messages.GetArrayLength() == 0)
            {
                Fail(OpenAiError.InvalidRequest("Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.", "messages", "empty_array"));
                return null;
            }

            var read = new List<ChatMessage>();
            var index = 0;
            foreach (var message in messages.EnumerateArray())
            {
                var param = $"messages[{index++}]";
                if (message.ValueKind != JsonValueKind.Object)
                {
                    Fail(OpenAiError.InvalidType(param, "an object"));
                    return null;
                }

                if (!message.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String)
                {
                    Fail(OpenAiError.MissingParameter(param + ".role"));
                    return null;
                }

                if (!Roles.Contains(role.GetString(), StringComparer.Ordinal))
                {
                    Fail(OpenAiError.InvalidRequest(
                        $"Invalid value: '{role.GetString()}'. Supported values are: 'system', 'assistant', 'user', 'function', 'tool', and 'developer'.", param + ".role", "invalid_value"));
                    return null;
                }

                if (Text(message, param + ".content") is not { } text)
                {
                    return null;
                }

                read.Add(new ChatMessage(role.GetString()!, text));
            }

            return read;
        }

        /// <summary>A string, an array of strings, an array of token ids, or an array of arrays of token ids.</summary>
        public List<TextInput>? Inputs(string name, bool allowEmptyString)
        {
            if (Error is not null)
            {
                return null;
            }

            if (!_body.TryGetProperty(name, out var input) || input.ValueKind == JsonValueKind.Null)
            {
                Fail(OpenAiError.MissingParameter(name));
                return null;
            }

            var invalid = OpenAiError.InvalidRequest(
                $"'$.{name}' is invalid. Expected a string, an array of strings, an array of integers or an array of arrays of integers, none of them empty.", name, "invalid_value");
            List<TextInput> read = [];
            switch (input.ValueKind)
            {
                case JsonValueKind.String:
                    read.Add(FromString(input.GetString()!));
                    break;
                case JsonValueKind.Array when input.GetArrayLength() > 0 && input.EnumerateArray().All(e => e.ValueKind == JsonValueKind.Number):
                    read.Add(FromTokens(input));
                    break;
                case JsonValueKind.Array when input.GetArrayLength() > 0 && input.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String):
                    read.AddRange(input.EnumerateArray().Select(e => FromString(e.GetString()!)));
                    break;
                case JsonValueKind.Array when input.GetArrayLength() > 0 && input.EnumerateArray().All(IsTokenArray):
                    read.AddRange(input.EnumerateArray().Select(FromTokens));
                    break;
                default:
                    Fail(invalid);
                    return null;
            }

            if (!allowEmptyString && read.Any(i => i.Text.Length == 0))
            {
                Fail(invalid);
                return null;
            }

            return read;

            static bool IsTokenArray(JsonElement e) =>
                e.ValueKind == JsonValueKind.Array && e.GetArrayLength() > 0 && e.EnumerateArray().All(t => t.ValueKind == JsonValueKind.Number);

            static TextInput FromString(string text) => new(text, TokenEstimate.Of(text));

            static TextInput FromTokens(JsonElement tokens) =>
                new(string.Join(' ', tokens.EnumerateArray().Select(t => t.GetRawText())), tokens.GetArrayLength());
        }

        private string? Text(JsonElement message, string param)
        {
            if (!message.TryGetProperty("content", out var content))
            {
                return "";
            }

            switch (content.ValueKind)
            {
                case JsonValueKind.Null:
                    return "";
                case JsonValueKind.String:
                    return content.GetString();
                case JsonValueKind.Array:
                    // Text parts only: an image or audio part has no text to echo.
                    return string.Concat(content.EnumerateArray()
                        .Where(p => p.ValueKind == JsonValueKind.Object && p.TryGetProperty("type", out var type) && type.ValueEquals("text")
                            && p.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
                        .Select(p => p.GetProperty("text").GetString()));
                default:
                    Fail(OpenAiError.InvalidType(param, "a string or an array of content parts"));
                    return null;
            }
        }

        private JsonElement? Get(string name, JsonValueKind kind, string expected)
        {
            if (Error is not null || !_body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (value.ValueKind != kind)
            {
                Fail(OpenAiError.InvalidType(name, expected));
                return null;
            }

            return value;
        }
    }
}
