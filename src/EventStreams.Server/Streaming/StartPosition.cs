namespace EventStreams.Server.Streaming;

/// <summary>Where a client asked one topic-partition (or, with Partition null, all of a topic's partitions) to start.</summary>
public sealed record StartPosition(string Topic, int? Partition, long? Offset, long? Timestamp)
{
    public const long Latest = -1;
    public const long Earliest = -2;

    public static StartPosition AtLatestOrSince(string topic, int? partition, long? since) =>
        new(topic, partition, since is null ? Latest : null, since);
}
