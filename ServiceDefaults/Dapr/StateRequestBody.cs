using System.Buffers;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Gateway.ServiceDefaults.Dapr;

/// <summary>
/// The JSON bodies of the state API (DAPR-HTTP.md section 1), written straight to bytes once per
/// call, before anything is sent: a value that cannot be serialised fails as itself.
/// </summary>
internal static class StateRequestBody
{
    /// <summary><c>[{key, value, etag?, metadata?, options?}]</c> for one item.</summary>
    public static ReadOnlyMemory<byte> Save(string key, object? value, Type valueType, string? etag, StateConcurrency? concurrency, TimeSpan? timeToLive, JsonSerializerOptions json) =>
        Write(writer =>
        {
            writer.WriteStartArray();
            WriteItem(writer, key, value, valueType, etag, concurrency, timeToLive, json);
            writer.WriteEndArray();
        });

    /// <summary><c>{"keys":[...],"parallelism":N}</c>.</summary>
    public static ReadOnlyMemory<byte> BulkGet(IReadOnlyCollection<string> keys, int? parallelism) =>
        Write(writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartArray("keys");
            foreach (var key in keys)
            {
                writer.WriteStringValue(key);
            }

            writer.WriteEndArray();
            if (parallelism is { } p)
            {
                writer.WriteNumber("parallelism", p);
            }

            writer.WriteEndObject();
        });

    /// <summary><c>{"operations":[{"operation":"upsert"|"delete","request":{...}}]}</c>.</summary>
    public static ReadOnlyMemory<byte> Transaction(IEnumerable<StateTransactionOperation> operations, JsonSerializerOptions json) =>
        Write(writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartArray("operations");
            foreach (var operation in operations)
            {
                writer.WriteStartObject();
                if (operation.OperationType == StateOperationType.Upsert)
                {
                    writer.WriteString("operation", "upsert");
                    writer.WritePropertyName("request");
                    WriteItem(writer, operation.Key, operation.Value, operation.ValueType!, operation.ETag, operation.Concurrency, operation.TimeToLive, json);
                }
                else
                {
                    writer.WriteString("operation", "delete");
                    writer.WriteStartObject("request");
                    writer.WriteString("key", operation.Key);
                    if (operation.ETag is not null)
                    {
                        writer.WriteString("etag", operation.ETag);
                    }

                    writer.WriteEndObject();
                }

                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        });

    /// <summary>Dapr takes whole seconds, at least one; a shorter positive TTL is rounded up rather than lost.</summary>
    public static void CheckTimeToLive(TimeSpan? timeToLive, string paramName)
    {
        if (timeToLive is { } ttl && (ttl <= TimeSpan.Zero || ttl.TotalSeconds > int.MaxValue))
        {
            throw new ArgumentOutOfRangeException(paramName, ttl, "A time to live must be positive (whole seconds; shorter ones are rounded up).");
        }
    }

    private static void WriteItem(Utf8JsonWriter writer, string key, object? value, Type valueType, string? etag, StateConcurrency? concurrency, TimeSpan? timeToLive, JsonSerializerOptions json)
    {
        writer.WriteStartObject();
        writer.WriteString("key", key);
        writer.WritePropertyName("value");
        JsonSerializer.Serialize(writer, value, valueType, json);
        if (etag is not null)
        {
            writer.WriteString("etag", etag);
        }

        if (timeToLive is { } ttl)
        {
            writer.WriteStartObject("metadata");
            writer.WriteString("ttlInSeconds", ((long)Math.Ceiling(ttl.TotalSeconds)).ToString(CultureInfo.InvariantCulture));
            writer.WriteEndObject();
        }

        if (concurrency is { } c)
        {
            writer.WriteStartObject("options");
            writer.WriteString("concurrency", c == StateConcurrency.FirstWrite ? "first-write" : "last-write");
            writer.WriteEndObject();
        }

        writer.WriteEndObject();
    }

    /// <summary>A fresh content over <paramref name="body"/>, one per attempt (a content is sent only once).</summary>
    public static HttpContent Content(ReadOnlyMemory<byte> body)
    {
        var content = new ReadOnlyMemoryContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return content;
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
