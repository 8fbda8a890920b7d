using EventStreams.Server.Kafka;
using EventStreams.Server.Streaming.EventIds;

namespace EventStreams.Server.Streaming;

/// <summary>
/// The topics one subscription follows, and how it joins partitions added to them while it runs (a repartitioned
/// topic, or a stream's topic created after the client connected): each from its first event, so nothing in it is lost.
/// </summary>
internal sealed class AddedPartitions(
    IReadOnlyList<string> topics,
    KafkaClients kafka,
    Func<IReadOnlyList<StartPosition>, int, Task<PartitionPosition[]>> positionsAsync)
{
    /// <summary>Cancelled when some topic gains partitions (see <see cref="KafkaClients.PartitionsAdded"/>).</summary>
    public CancellationToken Added => kafka.PartitionsAdded;

    /// <summary>The followed partitions that <paramref name="have"/> lacks, as the last metadata saw them (no broker call).</summary>
    public List<StartPosition> Missing(IReadOnlyList<PartitionPosition> have)
    {
        var missing = new List<StartPosition>();
        HashSet<(string, int)>? known = null;
        foreach (var topic in topics)
        {
            var partitions = kafka.KnownPartitionCount(topic);
            for (var p = 0; p < partitions; p++)
            {
                known ??= [.. have.Select(h => (h.Partition.Topic, h.Partition.Partition.Value))];
                if (!known.Contains((topic, p)))
                {
                    missing.Add(StartPosition.First(topic, p));
                }
            }
        }

        return missing;
    }

    /// <summary>Positions for <paramref name="missing"/>, numbered from <paramref name="firstIndex"/> (broker round trips, off the caller's thread).</summary>
    public Task<PartitionPosition[]> JoinAsync(IReadOnlyList<StartPosition> missing, int firstIndex) => positionsAsync(missing, firstIndex);
}
