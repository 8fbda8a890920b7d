using Confluent.Kafka;

namespace EventStreams.Server.Kafka;

/// <summary>
/// What a subscription's catch-up needs of a reader of history: read the partitions it is given from the offsets it is
/// given and hand the events over as <see cref="Events"/>. <see cref="CatchUpReader"/> reads Kafka; unit tests of the
/// cache ↔ catch-up transition give a fake.
/// </summary>
internal interface ICatchUpReader : IDisposable
{
    CatchUpEvents Events { get; }

    void Start();

    /// <summary>Reads <paramref name="partition"/> from <paramref name="next"/>; its events are handed over with <paramref name="index"/>.</summary>
    void Add(TopicPartition partition, long next, int index);

    void Remove(TopicPartition partition);
}
