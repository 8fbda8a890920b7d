using System.Buffers;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;

namespace EventStreams.Server.Streaming.EventIds;

/// <summary>
/// One partition's element of an event id: <c>{"topic","partition","timestamp"[,"skip"]}</c> or
/// <c>{"topic","partition","offset"}</c>. The reference service ignores <c>skip</c> (it resumes at the timestamp, so
/// it repeats the events of that millisecond instead of losing them).
/// </summary>
internal static class EventIdElement
{
    private static readonly ConcurrentDictionary<TopicPartition, (byte[] Offset, byte[] Timestamp)> Prefixes = new();

    /// <summary>
    /// Writes <paramref name="position"/>'s element. Returns false when the element may change without a delivery:
    /// a timestamp id written in offset form while the shared cache may still read the message before its start
    /// (once that message is behind the cache's window, it never will).
    /// </summary>
    public static bool Write(IBufferWriter<byte> writer, PartitionPosition position, IdFormat format)
    {
        var timestamp = format == IdFormat.Timestamp && position.LearnTimeBeforeStart();
        var prefixes = Prefixes.GetOrAdd(position.Partition, static p =>
        {
            var head = $"{{\"topic\":{JsonSerializer.Serialize(p.Topic)},\"partition\":{p.Partition.Value},";
            return (Encoding.UTF8.GetBytes(head + "\"offset\":"), Encoding.UTF8.GetBytes(head + "\"timestamp\":"));
        });
        var prefix = timestamp ? prefixes.Timestamp : prefixes.Offset;
        var span = writer.GetSpan(prefix.Length + 42);
        prefix.CopyTo(span);
        var at = prefix.Length;
        Utf8Formatter.TryFormat(timestamp ? position.DeliveredTimestamp!.Value : position.DeliveredNext, span[at..], out var written);
        at += written;
        if (timestamp && position.DeliveredRun > 0)
        {
            ",\"skip\":"u8.CopyTo(span[at..]);
            at += 8;
            Utf8Formatter.TryFormat(position.DeliveredRun, span[at..], out written);
            at += written;
        }

        span[at++] = (byte)'}';
        writer.Advance(at);
        return timestamp || format == IdFormat.Offset || position.DeliveredNext - 1 < position.Cache.CompleteFrom;
    }
}
