using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Gateway.BillingService.Services;
using Gateway.ServiceDefaults.Http;

namespace Gateway.BillingService.Apis;

/// <summary>
/// An amount of money in minor units, read only from a JSON integer: a string (<c>"100"</c>), a
/// boolean, a fraction (<c>100.5</c>, even <c>100.0</c>), an exponent (<c>1e2</c>) or a number
/// outside 64 bits is refused rather than rounded, parsed or clamped. JSON <c>null</c> reads as
/// absent (the validation then says the field is required). The range is checked by
/// <see cref="Services.BillingValidation"/>.
/// </summary>
internal sealed class MinorUnitsConverter : JsonConverter<long?>
{
    public static readonly string Message = string.Create(
        CultureInfo.InvariantCulture,
        $"must be a whole number of minor units written as a JSON integer (no quotes, fraction or exponent) of at most {LedgerLimits.MaxAmount}");

    public override long? Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var value) ? value : throw new NotMinorUnitsException();

    public override void Write(Utf8JsonWriter writer, long? value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        if (value is { } amount)
        {
            writer.WriteNumberValue(amount);
        }
        else
        {
            writer.WriteNullValue();
        }
    }

    /// <summary>Thrown for a value that is no amount; the serializer adds the path that names the field, the body reader shows the rule.</summary>
    internal sealed class NotMinorUnitsException() : JsonValueRuleException(MinorUnitsConverter.Message);
}
