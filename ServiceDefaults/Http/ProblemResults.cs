using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Gateway.ServiceDefaults.Http;

/// <summary>
/// The problem details (RFC 9457) the services answer with: a stable <c>type</c> URI that clients
/// branch on (the shared ones in <see cref="ProblemTypes"/>, each service's own next to its
/// problems) and a snake_case <see cref="CodeExtension"/> with the same meaning.
/// </summary>
public static class ProblemResults
{
    /// <summary>The extension every problem carries: a snake_case code with the meaning of its <c>type</c>.</summary>
    public const string CodeExtension = "code";

    /// <summary>The <c>code</c> of <see cref="Invalid"/>.</summary>
    public const string InvalidRequestCode = "invalid_request";

    /// <summary>A problem with <paramref name="extensions"/> next to <c>code</c>.</summary>
    /// <param name="status">A 4xx or 5xx status.</param>
    /// <param name="type">The stable type URI.</param>
    /// <param name="code">snake_case: <c>a-z</c>, <c>0-9</c> and <c>_</c>, starting with a letter.</param>
    /// <param name="title">The same for every problem of this type.</param>
    /// <param name="detail">This occurrence; never a credential, a header or an exception's message.</param>
    /// <param name="extensions">Further members; none named <c>code</c>.</param>
    /// <exception cref="ArgumentException">An argument breaks the rules above.</exception>
    public static ProblemHttpResult Problem(int status, string type, string code, string title, string detail, params ReadOnlySpan<(string Name, object? Value)> extensions)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(status, 400);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(status, 599);
        ArgumentException.ThrowIfNullOrWhiteSpace(type);
        ArgumentException.ThrowIfNullOrWhiteSpace(title);
        ArgumentException.ThrowIfNullOrWhiteSpace(detail);
        var all = Code(code);
        foreach (var (name, value) in extensions)
        {
            ArgumentException.ThrowIfNullOrWhiteSpace(name, nameof(extensions));
            if (!all.TryAdd(name, value))
            {
                throw new ArgumentException($"The extension '{name}' is given twice or is the code.", nameof(extensions));
            }
        }

        return TypedResults.Problem(detail, statusCode: status, title: title, type: type, extensions: all);
    }

    /// <summary>
    /// 400 <see cref="ProblemTypes.BadRequest"/>, code <c>invalid_request</c>, with the errors by
    /// field (<c>errors</c>): the request was refused before anything was written.
    /// </summary>
    public static ValidationProblem Invalid(IDictionary<string, string[]> errors, string detail = "The request is invalid; nothing was written.")
    {
        ArgumentNullException.ThrowIfNull(errors);
        ArgumentException.ThrowIfNullOrWhiteSpace(detail);
        return TypedResults.ValidationProblem(errors, detail: detail, title: "Invalid request", type: ProblemTypes.BadRequest, extensions: Code(InvalidRequestCode));
    }

    /// <summary>True for a snake_case code: <c>a-z</c>, <c>0-9</c> and <c>_</c>, starting with a letter.</summary>
    public static bool IsCode(string? code) =>
        code is [>= 'a' and <= 'z', ..] && code.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '_');

    private static Dictionary<string, object?> Code(string code)
    {
        if (!IsCode(code))
        {
            throw new ArgumentException("A problem code is snake_case: a-z, 0-9 and _, starting with a letter.", nameof(code));
        }

        return new(StringComparer.Ordinal) { [CodeExtension] = code };
    }
}
