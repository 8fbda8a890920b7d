namespace EventStreams.Server.Retention;

/// <summary>What one topic-partition holds: offsets [<see cref="Low"/>, <see cref="High"/>) and the time of the event at <see cref="Low"/> (null when empty).</summary>
public sealed record PartitionRetention(string Topic, int Partition, long Low, long High, long? OldestTimestamp);
