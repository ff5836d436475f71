using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.Json;

namespace Gateway.ProxyService.Services;

/// <summary>
/// A compiled JSON path of the small subset provider configuration needs: <c>$</c>, member access
/// (<c>.name</c> or <c>['name']</c>), array index (<c>[0]</c>, <c>[-1]</c> from the end) and
/// wildcards (<c>[*]</c> or <c>.*</c>: every element of an array or value of an object). Filters,
/// slices and recursive descent are not supported (JsonPath.Net is not available here, and task
/// APIs do not need them).
/// </summary>
internal sealed class JsonPath
{
    private readonly Step[] _steps;

    private JsonPath(string text, Step[] steps)
    {
        Text = text;
        _steps = steps;
    }

    /// <summary>The path as written in configuration.</summary>
    public string Text { get; }

    /// <summary>True when the path can select more than one value (it has a wildcard).</summary>
    public bool IsMultiple => _steps.Any(s => s.Kind == StepKind.Wildcard);

    public static bool TryParse(string? text, [NotNullWhen(true)] out JsonPath? path, [NotNullWhen(false)] out string? error)
    {
        path = null;
        if (string.IsNullOrWhiteSpace(text) || text[0] != '$')
        {
            error = "must start with '$'";
            return false;
        }

        var steps = new List<Step>();
        var i = 1;
        while (i < text.Length)
        {
            if (text[i] == '.')
            {
                i++;
                if (i < text.Length && text[i] == '*')
                {
                    steps.Add(Step.Wildcard);
                    i++;
                    continue;
                }

                var start = i;
                while (i < text.Length && text[i] is not ('.' or '['))
                {
                    i++;
                }

                if (i == start)
                {
                    error = $"has an empty member name at position {start}";
                    return false;
                }

                steps.Add(Step.Member(text[start..i]));
            }
            else if (text[i] == '[')
            {
                var close = text.IndexOf(']', i);
                if (close < 0)
                {
                    error = $"has an unclosed '[' at position {i}";
                    return false;
                }

                var inside = text[(i + 1)..close].Trim();
                if (inside == "*")
                {
                    steps.Add(Step.Wildcard);
                }
                else if (inside.Length >= 2 && (inside[0] is '\'' or '"') && inside[^1] == inside[0])
                {
                    steps.Add(Step.Member(inside[1..^1]));
                }
                else if (int.TryParse(inside, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var index))
                {
                    steps.Add(Step.Index(index));
                }
                else
                {
                    error = $"has an unsupported selector '[{inside}]' (use [n], [*] or ['name'])";
                    return false;
                }

                i = close + 1;
            }
            else
            {
                error = $"has an unexpected '{text[i]}' at position {i} (use .name, [n], [*] or ['name'])";
                return false;
            }
        }

        path = new JsonPath(text, [.. steps]);
        error = null;
        return true;
    }

    /// <summary>Parses a path known to be valid (validated configuration); throws on a bad one.</summary>
    public static JsonPath Parse(string text) =>
        TryParse(text, out var path, out var error) ? path : throw new FormatException($"JSON path '{text}' {error}.");

    /// <summary>Every value the path selects, in document order.</summary>
    public IEnumerable<JsonElement> Select(JsonElement root) => Walk(root, 0);

    /// <summary>The first value the path selects, if any.</summary>
    public bool TrySelectFirst(JsonElement root, out JsonElement value)
    {
        foreach (var match in Select(root))
        {
            value = match;
            return true;
        }

        value = default;
        return false;
    }

    /// <summary>
    /// The first selected value as text: a string as is, a number or boolean as written in the
    /// document; null when nothing is selected or the value is an object, array or null.
    /// </summary>
    public string? SelectText(JsonElement root) =>
        TrySelectFirst(root, out var value) ? AsText(value) : null;

    /// <summary>
    /// Adds up every selected number (a JSON number, or a string holding one). Returns false when
    /// the path selects no number at all, so a missing usage figure can be told apart from zero.
    /// </summary>
    public bool TrySum(JsonElement root, out decimal sum)
    {
        sum = 0;
        var found = false;
        foreach (var value in Select(root))
        {
            if (TryNumber(value, out var number))
            {
                sum += number;
                found = true;
            }
        }

        return found;
    }

    public override string ToString() => Text;

    internal static string? AsText(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.String => value.GetString(),
        JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
        _ => null,
    };

    private static bool TryNumber(JsonElement value, out decimal number)
    {
        number = 0;
        return value.ValueKind switch
        {
            JsonValueKind.Number => value.TryGetDecimal(out number),
            JsonValueKind.String => decimal.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out number),
            _ => false,
        };
    }

    private IEnumerable<JsonElement> Walk(JsonElement current, int stepIndex)
    {
        if (stepIndex == _steps.Length)
        {
            yield return current;
            yield break;
        }

        var step = _steps[stepIndex];
        switch (step.Kind)
        {
            case StepKind.Member when current.ValueKind == JsonValueKind.Object && current.TryGetProperty(step.Name!, out var child):
                foreach (var match in Walk(child, stepIndex + 1))
                {
                    yield return match;
                }

                break;
            case StepKind.Index when current.ValueKind == JsonValueKind.Array:
                var length = current.GetArrayLength();
                var index = step.Position < 0 ? length + step.Position : step.Position;
                if (index >= 0 && index < length)
                {
                    foreach (var match in Walk(current[index], stepIndex + 1))
                    {
                        yield return match;
                    }
                }

                break;
            case StepKind.Wildcard when current.ValueKind == JsonValueKind.Array:
                foreach (var element in current.EnumerateArray())
                {
                    foreach (var match in Walk(element, stepIndex + 1))
                    {
                        yield return match;
                    }
                }

                break;
            case StepKind.Wildcard when current.ValueKind == JsonValueKind.Object:
                foreach (var property in current.EnumerateObject())
                {
                    foreach (var match in Walk(property.Value, stepIndex + 1))
                    {
                        yield return match;
                    }
                }

                break;
        }
    }

    private enum StepKind
    {
        Member,
        Index,
        Wildcard,
    }

    private sealed record Step(StepKind Kind, string? Name, int Position)
    {
        public static readonly Step Wildcard = new(StepKind.Wildcard, null, 0);

        public static Step Member(string name) => new(StepKind.Member, name, 0);

        public static Step Index(int position) => new(StepKind.Index, null, position);
    }
}
