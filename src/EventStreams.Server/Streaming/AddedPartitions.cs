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

    /// <summary>The followed partitions after the highest one <paramref name="have"/> holds of their topic, as the last metadata saw them (no broker call).</summary>
    public List<StartPosition> Missing(IReadOnlyList<PartitionPosition> have)
    {
        var missing = new List<StartPosition>();
        foreach (var topic in topics)
        {
            var partitions = kafka.KnownPartitionCount(topic);
            for (var p = FirstUnknown(topic, have.Select(h => (h.Partition.Topic, h.Partition.Partition.Value))); p < partitions; p++)
            {
                missing.Add(StartPosition.First(topic, p));
            }
        }

        return missing;
    }

    /// <summary>
    /// The first partition of <paramref name="topic"/> after the highest in <paramref name="known"/> (0 when none):
    /// Kafka only adds partitions, numbered on, so those after it are new to whoever knew these. One missing below it
    /// was left out on purpose (an id naming only some partitions) and stays out.
    /// </summary>
    public static int FirstUnknown(string topic, IEnumerable<(string Topic, int Partition)> known)
    {
        var first = 0;
        foreach (var (knownTopic, partition) in known)
        {
            if (knownTopic == topic && partition >= first)
            {
                first = partition + 1;
            }
        }

        return first;
    }

    /// <summary>Positions for <paramref name="missing"/>, numbered from <paramref name="firstIndex"/> (broker round trips, off the caller's thread).</summary>
    public Task<PartitionPosition[]> JoinAsync(IReadOnlyList<StartPosition> missing, int firstIndex) => positionsAsync(missing, firstIndex);
}
