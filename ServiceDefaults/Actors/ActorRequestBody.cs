using System.Buffers;
using System.Text.Json;

namespace Gateway.ServiceDefaults.Actors;

/// <summary>
/// The JSON bodies this app sends to the sidecar's actor API (DAPR-HTTP.md section 4), written
/// straight to bytes before anything is sent: a value that cannot be serialised fails as itself.
/// </summary>
internal static class ActorRequestBody
{
    /// <summary>
    /// The bare array <c>[{"operation":"upsert","request":{"key","value"}},{"operation":"delete","request":{"key"}}]</c>;
    /// values are already JSON.
    /// </summary>
    public static ReadOnlyMemory<byte> StateTransaction(IReadOnlyList<KeyValuePair<string, byte[]?>> operations) =>
        Write(writer =>
        {
            writer.WriteStartArray();
            foreach (var (key, value) in operations)
            {
                writer.WriteStartObject();
                writer.WriteString("operation", value is null ? "delete" : "upsert");
                writer.WriteStartObject("request");
                writer.WriteString("key", key);
                if (value is not null)
                {
                    writer.WritePropertyName("value");
                    writer.WriteRawValue(value, skipInputValidation: true);
                }

                writer.WriteEndObject();
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
        });

    /// <summary><c>{"dueTime","period","ttl","data"}</c>; an empty period fires once, ttl and data are left out when null.</summary>
    public static ReadOnlyMemory<byte> Reminder(TimeSpan dueTime, TimeSpan? period, TimeSpan? timeToLive, object? data, JsonSerializerOptions json) =>
        Write(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("dueTime", GoDuration.Format(dueTime));
            writer.WriteString("period", period is { } p ? GoDuration.Format(p) : "");
            if (timeToLive is { } ttl)
            {
                writer.WriteString("ttl", GoDuration.Format(ttl));
            }

            WriteData(writer, data, json);
            writer.WriteEndObject();
        });

    /// <summary><c>{"dueTime","period","callback","data"}</c>; an empty period fires once, data is left out when null.</summary>
    public static ReadOnlyMemory<byte> Timer(TimeSpan dueTime, TimeSpan? period, string callback, object? data, JsonSerializerOptions json) =>
        Write(writer =>
        {
            writer.WriteStartObject();
            writer.WriteString("dueTime", GoDuration.Format(dueTime));
            writer.WriteString("period", period is { } p ? GoDuration.Format(p) : "");
            writer.WriteString("callback", callback);
            WriteData(writer, data, json);
            writer.WriteEndObject();
        });

    private static void WriteData(Utf8JsonWriter writer, object? data, JsonSerializerOptions json)
    {
        if (data is not null)
        {
            // daprd keeps the raw JSON and hands it back verbatim when the reminder or timer fires.
            writer.WritePropertyName("data");
            JsonSerializer.Serialize(writer, data, data.GetType(), json);
        }
    }

    private static ReadOnlyMemory<byte> Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            write(writer);
        }

        return buffer.WrittenMemory;
    }
}
