using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Gateway.LocalSidecar.Api;

/// <summary>
/// Re-encodes a JSON value the way daprd does when it decodes a state value into Go's <c>any</c>
/// and marshals it again: object keys sorted, every number a float64 (so integers beyond 2^53
/// lose precision exactly as they do in daprd), strings escaped as Go's encoding/json escapes them.
/// Emulating this keeps code that passes against LocalSidecar from failing against a real daprd.
/// </summary>
internal static class GoJson
{
    public static byte[] Encode(JsonElement value)
    {
        var builder = new StringBuilder();
        Write(value, builder);
        return Encoding.UTF8.GetBytes(builder.ToString());
    }

    private static void Write(JsonElement value, StringBuilder output)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                output.Append('{');
                var first = true;
                foreach (var property in value.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    if (!first)
                    {
                        output.Append(',');
                    }

                    first = false;
                    WriteString(property.Name, output);
                    output.Append(':');
                    Write(property.Value, output);
                }

                output.Append('}');
                break;
            case JsonValueKind.Array:
                output.Append('[');
                var firstItem = true;
                foreach (var item in value.EnumerateArray())
                {
                    if (!firstItem)
                    {
                        output.Append(',');
                    }

                    firstItem = false;
                    Write(item, output);
                }

                output.Append(']');
                break;
            case JsonValueKind.String:
                WriteString(value.GetString()!, output);
                break;
            case JsonValueKind.Number:
                output.Append(FormatFloat64(value.GetDouble()));
                break;
            case JsonValueKind.True:
                output.Append("true");
                break;
            case JsonValueKind.False:
                output.Append("false");
                break;
            default:
                output.Append("null");
                break;
        }
    }

    /// <summary>Go's float64 encoding: shortest digits, exponent form below 1e-6 or from 1e21 on.</summary>
    internal static string FormatFloat64(double number)
    {
        if (number == 0)
        {
            return double.IsNegative(number) ? "-0" : "0";
        }

        var abs = Math.Abs(number);
        var shortest = abs.ToString("R", CultureInfo.InvariantCulture);

        // Split the shortest round-trip representation into its digits and decimal exponent.
        var mantissa = shortest;
        var exponent = 0;
        var e = shortest.IndexOfAny(['E', 'e']);
        if (e >= 0)
        {
            mantissa = shortest[..e];
            exponent = int.Parse(shortest[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        }

        var point = mantissa.IndexOf('.', StringComparison.Ordinal);
        var digits = point >= 0 ? mantissa.Remove(point, 1) : mantissa;
        var integerDigits = point >= 0 ? point : mantissa.Length;
        var leadingZeros = digits.Length - digits.TrimStart('0').Length;
        digits = digits.Trim('0');
        if (digits.Length == 0)
        {
            digits = "0";
        }

        // The value is 0.{digits} × 10^decimalExponent.
        var decimalExponent = integerDigits + exponent - leadingZeros;
        var sign = number < 0 ? "-" : "";
        if (abs < 1e-6 || abs >= 1e21)
        {
            var exp = decimalExponent - 1;
            var head = digits[..1];
            var tail = digits.Length > 1 ? "." + digits[1..] : "";
            var expText = Math.Abs(exp).ToString(CultureInfo.InvariantCulture);
            if (expText.Length < 2)
            {
                expText = "0" + expText;
            }

            // Go prints at least two exponent digits, then encoding/json trims "e-07" to "e-7".
            if (exp < 0 && expText.Length == 2 && expText[0] == '0')
            {
                expText = expText[1..];
            }

            return $"{sign}{head}{tail}e{(exp < 0 ? "-" : "+")}{expText}";
        }

        if (decimalExponent <= 0)
        {
            return $"{sign}0.{new string('0', -decimalExponent)}{digits}";
        }

        if (decimalExponent >= digits.Length)
        {
            return sign + digits + new string('0', decimalExponent - digits.Length);
        }

        return $"{sign}{digits[..decimalExponent]}.{digits[decimalExponent..]}";
    }

    private static void WriteString(string text, StringBuilder output)
    {
        output.Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"':
                    output.Append("\\\"");
                    break;
                case '\\':
                    output.Append("\\\\");
                    break;
                case '\n':
                    output.Append("\\n");
                    break;
                case '\r':
                    output.Append("\\r");
                    break;
                case '\t':
                    output.Append("\\t");
                    break;
                case '<' or '>' or '&' or '\u2028' or '\u2029':
                    output.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                    break;
                default:
                    if (c < 0x20)
                    {
                        output.Append(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}");
                    }
                    else
                    {
                        output.Append(c);
                    }

                    break;
            }
        }

        output.Append('"');
    }
}
