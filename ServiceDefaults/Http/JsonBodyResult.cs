using System.Diagnostics.CodeAnalysis;

namespace Gateway.ServiceDefaults.Http;

/// <summary>Why <see cref="JsonBodyReader"/> refused a body.</summary>
public enum JsonBodyRefusalReason
{
    /// <summary>A Content-Type other than JSON (with <see cref="JsonBodyOptions.RequireJsonContentType"/>).</summary>
    NotJsonContentType,

    /// <summary>Longer than <see cref="JsonBodyOptions.MaxBytes"/> (or than the server's own body limit).</summary>
    TooLarge,

    /// <summary>No body at all.</summary>
    Empty,

    /// <summary>Not one JSON value in UTF-8: bad syntax, bad UTF-8, an escape that is no text, trailing content, too deep.</summary>
    Malformed,

    /// <summary>A name repeated in the same object, at any depth.</summary>
    DuplicateField,

    /// <summary>Valid JSON, but a value of the wrong type or against a field's rule (<see cref="JsonValueRuleException"/>).</summary>
    WrongShape,

    /// <summary>The JSON literal <c>null</c>.</summary>
    Null,
}

/// <summary>
/// A refused body: why, the field the error is about (<c>body</c> for the body as a whole) and a
/// message for the client. Neither ever contains any part of the body: a field is named only when
/// it is one of the target type's own properties, by the type's spelling.
/// </summary>
public sealed record JsonBodyRefusal(JsonBodyRefusalReason Reason, string Field, string Message)
{
    /// <summary>The field the errors about the body as a whole are keyed under.</summary>
    public const string BodyField = "body";

    /// <summary>The refusal as validation errors (<c>{ Field: [Message] }</c>), for a 400 validation problem.</summary>
    public Dictionary<string, string[]> ToErrors() => new(StringComparer.Ordinal) { [Field] = [Message] };
}

/// <summary>What <see cref="JsonBodyReader.ReadAsync{T}"/> read: the value, or why the body was refused.</summary>
public sealed class JsonBodyResult<T>
    where T : class
{
    private readonly T? _value;
    private readonly JsonBodyRefusal? _refusal;

    internal JsonBodyResult(T value) => _value = value;

    internal JsonBodyResult(JsonBodyRefusal refusal) => _refusal = refusal;

    /// <summary>True with the value read; false with the refusal.</summary>
    public bool TryGetValue([NotNullWhen(true)] out T? value, [NotNullWhen(false)] out JsonBodyRefusal? refusal)
    {
        value = _value;
        refusal = _refusal;
        return _value is not null;
    }
}
