using System.Text.Json;

namespace Gateway.ServiceDefaults.Http;

/// <summary>
/// Thrown by a JSON converter for a value that breaks its field's rule (an amount that is not a
/// JSON integer, say). <see cref="JsonBodyReader"/> answers with this exception's message as the
/// field's error, where any other <see cref="JsonException"/> gets a fixed text: the message is
/// shown to the client, so it states the rule and never contains the value read.
/// </summary>
public class JsonValueRuleException : JsonException
{
    public JsonValueRuleException()
        : this("has a value this field does not accept")
    {
    }

    /// <param name="rule">What the field accepts, e.g. "must be a JSON integer"; shown to the client.</param>
    public JsonValueRuleException(string rule)
        : base(rule)
    {
    }

    public JsonValueRuleException(string rule, Exception innerException)
        : base(rule, innerException)
    {
    }
}
