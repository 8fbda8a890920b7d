using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Unicode;

namespace EventStreams.Server.Kafka;

/// <summary>Validates a message value as a JSON object and injects its Kafka position into <c>meta</c>.</summary>
internal static partial class EventEncoder
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Keep non-ASCII text and HTML characters as produced; the output is JSON, never HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
        SkipValidation = true,
    };

    /// <summary>The encoded event of a consumed message, or null when its value is absent or not a JSON object.</summary>
    public static KafkaEvent? TryEncode(Confluent.Kafka.ConsumeResult<byte[]?, byte[]?> result) =>
        result.Message.Value is null
            ? null
            : TryEncode(result.Topic, result.Partition.Value, result.Offset.Value, result.Message.Timestamp.UnixTimestampMs, result.Message.Key, result.Message.Value);

    /// <summary>The encoded event, or null when the value is not a JSON object (such messages are skipped).</summary>
    public static KafkaEvent? TryEncode(string topic, int partition, long offset, long timestamp, ReadOnlySpan<byte> key, ReadOnlyMemory<byte> value)
    {
        // Other producers may have written any bytes, and strict UTF-8 readers (json.loads on the bytes) fail on invalid
        // ones: every event goes out as UTF-8, each invalid sequence one U+FFFD, as EventGate's intake reads such a body.
        if (!Utf8.IsValid(value.Span))
        {
            value = ValidUtf8.Repair(value.Span);
        }

        if (!Utf8.IsValid(key))
        {
            key = ValidUtf8.Repair(key);
        }

        var json = TrySplice(topic, partition, offset, key, value.Span) ?? Rewrite(topic, partition, offset, key, value);
        return json is null ? null : new KafkaEvent(topic, partition, offset, timestamp, json);
    }

    /// <summary>The general path: parses the value and writes it again with the position in <c>meta</c>; null when it is not a JSON object.</summary>
    internal static byte[]? Rewrite(string topic, int partition, long offset, ReadOnlySpan<byte> key, ReadOnlyMemory<byte> value)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(value, EventJson.DocumentOptions);
        }
        catch (JsonException)
        {
            return null;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return null;
            }

            var buffer = new ArrayBufferWriter<byte>(value.Length + 96);
            using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
            {
                writer.WriteStartObject();
                var wroteMeta = false;
                foreach (var property in root.EnumerateObject())
                {
                    if (property.NameEquals("meta") && property.Value.ValueKind == JsonValueKind.Object && !wroteMeta)
                    {
                        WriteMeta(writer, property.Value, topic, partition, offset, key);
                        wroteMeta = true;
                    }
                    else if (!property.NameEquals("meta"))
                    {
                        property.WriteTo(writer);
                    }
                }

                if (!wroteMeta)
                {
                    WriteMeta(writer, default, topic, partition, offset, key);
                }

                writer.WriteEndObject();
            }

            return buffer.WrittenSpan.ToArray();
        }
    }

    private static void WriteMeta(Utf8JsonWriter writer, JsonElement existing, string topic, int partition, long offset, ReadOnlySpan<byte> key)
    {
        writer.WritePropertyName("meta"u8);
        writer.WriteStartObject();
        if (existing.ValueKind == JsonValueKind.Object)
        {
            foreach (var property in existing.EnumerateObject())
            {
                if (!(property.NameEquals("topic") || property.NameEquals("partition") || property.NameEquals("offset") || (property.NameEquals("key") && !key.IsEmpty)))
                {
                    property.WriteTo(writer);
                }
            }
        }

        writer.WriteString("topic"u8, topic);
        writer.WriteNumber("partition"u8, partition);
        writer.WriteNumber("offset"u8, offset);
        if (!key.IsEmpty)
        {
            WriteKey(writer, key);
        }

        writer.WriteEndObject();
    }

    private static void WriteKey(Utf8JsonWriter writer, ReadOnlySpan<byte> key)
    {
        writer.WritePropertyName("key"u8);
        var reader = new Utf8JsonReader(key, EventJson.ReaderOptions);
        try
        {
            if (JsonDocument.TryParseValue(ref reader, out var parsed) && reader.BytesConsumed == key.Length)
            {
                using (parsed)
                {
                    parsed.RootElement.WriteTo(writer);
                    return;
                }
            }
        }
        catch (JsonException)
        {
            // Not JSON: the key is written as a string below.
        }

        writer.WriteStringValue(Encoding.UTF8.GetString(key));
    }
}
