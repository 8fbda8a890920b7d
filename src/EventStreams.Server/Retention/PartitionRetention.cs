using System.Text.Json.Serialization;

namespace EventStreams.Server.Retention;

/// <summary>
/// What one topic-partition holds: offsets [<see cref="Low"/>, <see cref="High"/>) and the time of the event at
/// <see cref="Low"/> (null when empty); with <c>?at=</c>, <see cref="AtOffset"/>: the first offset whose timestamp is at
/// or after that time (<see cref="High"/> when none), the offset <c>/v2/stream?since=</c> would start this partition at.
/// </summary>
internal sealed record PartitionRetention(string Topic, int Partition, long Low, long High, long? OldestTimestamp)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public long? AtOffset { get; init; }
}
