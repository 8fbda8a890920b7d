using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using EventStreams.Server.Kafka;

namespace EventStreams.Server.Streaming;

/// <summary>One client's place in one topic-partition: what to read next, and what it has been sent (for its event ids).</summary>
public sealed class PartitionPosition
{
    public PartitionPosition(int index, PartitionCache cache, long start, long? resumeTimestamp)
    {
        Index = index;
        Cache = cache;
        Next = start;
        DeliveredNext = start;
        DeliveredTimestamp = resumeTimestamp;
    }

    public int Index { get; }

    public PartitionCache Cache { get; }

    public TopicPartition Partition => Cache.Partition;

    /// <summary>The next offset to read.</summary>
    public long Next { get; set; }

    /// <summary>The offset after the last event written to the client: resuming here loses and repeats nothing.</summary>
    public long DeliveredNext { get; private set; }

    /// <summary>The timestamp of the last event written (or the time the client asked to start at): resuming at this time repeats at most the events that share it.</summary>
    public long? DeliveredTimestamp { get; private set; }

    public bool CatchingUp { get; set; }

    /// <summary>Changes with every delivery, so that a rendered id element can tell it is out of date.</summary>
    public int Version { get; private set; }

    public void Delivered(KafkaEvent e)
    {
        DeliveredNext = e.Offset + 1;
        DeliveredTimestamp = e.Timestamp;
        Version++;
    }

    /// <summary>
    /// Writes this position as one element of an event id. Returns false when the element may change without a
    /// delivery: a timestamp id written in offset form while the shared cache may still read the message before
    /// its start (once that message is behind the cache's window, it never will).
    /// </summary>
    public bool WriteId(IBufferWriter<byte> writer, IdFormat format)
    {
        // A partition that has delivered nothing yet learns the time before its start once the shared cache has read it.
        var timestamp = format == IdFormat.Timestamp ? DeliveredTimestamp ??= Cache.TimestampBefore(DeliveredNext) : null;
        var prefix = timestamp is null ? Cache.IdOffsetPrefix : Cache.IdTimestampPrefix;
        var span = writer.GetSpan(prefix.Length + 21);
        prefix.CopyTo(span);
        Utf8Formatter.TryFormat(timestamp ?? DeliveredNext, span[prefix.Length..], out var written);
        span[prefix.Length + written] = (byte)'}';
        writer.Advance(prefix.Length + written + 1);
        return timestamp is not null || format == IdFormat.Offset || DeliveredNext - 1 < Cache.CompleteFrom;
    }
}
