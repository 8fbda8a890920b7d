namespace EventStreams.Server.Streaming.EventIds;

/// <summary>
/// Where a client asked one topic-partition (or, with Partition null, all of a topic's partitions) to start:
/// an offset, or a time. With a time, <paramref name="Skip"/> events of that very millisecond are already the
/// client's (the <c>skip</c> of a timestamp id), so the stream starts after them.
/// </summary>
internal sealed record StartPosition(string Topic, int? Partition, long? Offset, long? Timestamp, int Skip = 0)
{
    public const long Latest = -1;
    public const long Earliest = -2;

    public static StartPosition AtLatestOrSince(string topic, int? partition, long? since) =>
        new(topic, partition, since is null ? Latest : null, since);

    /// <summary>The partition's first retained event (its low watermark).</summary>
    public static StartPosition First(string topic, int partition) => new(topic, partition, Earliest, null);
}
