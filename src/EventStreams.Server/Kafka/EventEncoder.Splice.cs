using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;

namespace EventStreams.Server.Kafka;

/// <summary>
/// The fast path: most messages are a single-line JSON object whose <c>meta</c> (if any) does not already name
/// a topic, partition, offset or key. For those, one validating pass of <see cref="Utf8JsonReader"/> finds where
/// <c>meta</c> ends and the Kafka position is spliced in there, leaving every produced byte as it was; no
/// document is built. Anything else takes the rewriting path.
/// </summary>
internal static partial class EventEncoder
{
    private static readonly ConcurrentDictionary<string, byte[]> TopicFields = new(StringComparer.Ordinal);

    internal static byte[]? TrySplice(string topic, int partition, long offset, ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        // Keys are formatted by the rewriting path; a raw line break would end the SSE data line, so multi-line JSON is rewritten too.
        if (!key.IsEmpty || value.IndexOfAny((byte)'\n', (byte)'\r') >= 0)
        {
            return null;
        }

        int metaEnd = -1, rootEnd = -1;
        bool metaHasFields = false, rootHasFields = false;
        var reader = new Utf8JsonReader(value, EventJson.ReaderOptions);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return null;
            }

            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.EndObject)
                {
                    rootEnd = (int)reader.TokenStartIndex;
                    break;
                }

                rootHasFields = true;
                var isMeta = reader.ValueTextEquals("meta"u8);
                reader.Read();
                if (!isMeta)
                {
                    reader.Skip();
                    continue;
                }

                if (metaEnd >= 0 || reader.TokenType != JsonTokenType.StartObject)
                {
                    return null;
                }

                while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
                {
                    if (reader.ValueTextEquals("topic"u8) || reader.ValueTextEquals("partition"u8) || reader.ValueTextEquals("offset"u8) || reader.ValueTextEquals("key"u8))
                    {
                        return null;
                    }

                    metaHasFields = true;
                    reader.Read();
                    reader.Skip();
                }

                metaEnd = (int)reader.TokenStartIndex;
            }

            // Anything but whitespace after the object makes Read throw.
            if (rootEnd < 0 || reader.Read())
            {
                return null;
            }
        }
        catch (JsonException)
        {
            return null;
        }

        var fields = TopicFields.GetOrAdd(topic, static t => Encoding.UTF8.GetBytes($"\"topic\":{JsonSerializer.Serialize(t)},\"partition\":"));
        Span<byte> numbers = stackalloc byte[48];
        Utf8Formatter.TryFormat(partition, numbers, out var written);
        ",\"offset\":"u8.CopyTo(numbers[written..]);
        written += 10;
        Utf8Formatter.TryFormat(offset, numbers[written..], out var offsetLength);
        var position = numbers[..(written + offsetLength)];

        var insertAt = metaEnd >= 0 ? metaEnd : rootEnd;
        ReadOnlySpan<byte> opening = metaEnd >= 0
            ? (metaHasFields ? ","u8 : ""u8)
            : (rootHasFields ? ",\"meta\":{"u8 : "\"meta\":{"u8);
        ReadOnlySpan<byte> closing = metaEnd >= 0 ? ""u8 : "}"u8;
        var json = new byte[value.Length + opening.Length + fields.Length + position.Length + closing.Length];
        var at = 0;
        Append(json, ref at, value[..insertAt]);
        Append(json, ref at, opening);
        Append(json, ref at, fields);
        Append(json, ref at, position);
        Append(json, ref at, closing);
        Append(json, ref at, value[insertAt..]);
        return json;
    }

    private static void Append(byte[] into, ref int at, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(into.AsSpan(at));
        at += bytes.Length;
    }
}
