using Confluent.Kafka;
using EventStreams.Server.Kafka;
using Microsoft.Extensions.Options;

namespace EventStreams.Server.Retention;

/// <summary>
/// Where the last N events of some partitions begin, counted in events, not offsets: a transactional producer's
/// control records, and messages a stream skips (tombstones, values that are not JSON objects), take offsets but are
/// no events, so "N offsets before the end" gives fewer than N. Each partition is read backwards from its end, in
/// chunks, and its events counted with the stream's own rule (<see cref="EventEncoder"/>).
/// </summary>
internal sealed class LastEvents(KafkaClients kafka, IOptions<RetentionOptions> options) : IDisposable
{
    /// <summary>The most a request may ask for.</summary>
    public const int MaxCount = 1_000_000;

    private const int FirstChunk = 256;
    private static readonly TimeSpan ConsumeTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Lookups at once (each holds a consumer): the same bound as the retention queries.</summary>
    private readonly SemaphoreSlim _slots = new(options.Value.MaxConcurrentQueries);

    /// <summary><see cref="Find"/> in turn with other lookups, off the caller's thread.</summary>
    public async Task<(IReadOnlyList<TopicPartitionOffset> Starts, int Events)> FindAsync(IReadOnlyList<TopicPartition> partitions, int count, CancellationToken cancellationToken)
    {
        await _slots.WaitAsync(cancellationToken);
        try
        {
            return await Task.Run(() => Find(partitions, count, cancellationToken), cancellationToken);
        }
        finally
        {
            _slots.Release();
        }
    }

    public void Dispose() => _slots.Dispose();

    /// <summary>
    /// The offset per partition from which reading gives the last <paramref name="count"/> events of all of them (as
    /// of now) and how many that is (fewer only when the partitions hold fewer). The count is split evenly (the first
    /// partitions one more when it does not divide); a partition holding less than its share leaves the rest to the
    /// others. Blocking broker reads: call off the request's thread.
    /// </summary>
    public (IReadOnlyList<TopicPartitionOffset> Starts, int Events) Find(IReadOnlyList<TopicPartition> partitions, int count, CancellationToken cancellationToken)
    {
        using var consumer = kafka.CreateConsumer("last-events", config => config.MaxPartitionFetchBytes = 256 * 1024);
        var readers = partitions.Select(p => new Backwards(consumer, p, kafka.Watermarks(p))).ToList();
        var shares = new int[readers.Count];
        var left = count;
        while (left > 0)
        {
            // Share what is left among the partitions that may still hold more, then read each back to its share.
            var open = Enumerable.Range(0, readers.Count).Where(i => readers[i].Found > shares[i] || !readers[i].Exhausted).ToList();
            if (open.Count == 0)
            {
                break;
            }

            for (var k = 0; k < open.Count; k++)
            {
                shares[open[k]] += left / open.Count + (k < left % open.Count ? 1 : 0);
            }

            foreach (var i in open)
            {
                readers[i].ReadBack(shares[i], cancellationToken);
                shares[i] = Math.Min(shares[i], readers[i].Found);
            }

            left = count - shares.Sum();
        }

        return ([.. readers.Select((r, i) => new TopicPartitionOffset(r.Partition, r.StartOf(shares[i])))], shares.Sum());
    }

    /// <summary>One partition read backwards from its end in doubling chunks: the offsets of its events, newest first.</summary>
    private sealed class Backwards(IConsumer<byte[]?, byte[]?> consumer, TopicPartition partition, WatermarkOffsets watermarks)
    {
        private readonly List<long> _events = [];
        private long _scannedFrom = watermarks.High.Value;
        private int _chunk = FirstChunk;

        public TopicPartition Partition => partition;

        public bool Exhausted => _scannedFrom <= watermarks.Low.Value;

        public int Found => _events.Count;

        /// <summary>Where reading gives exactly the newest <paramref name="events"/> events: the offset of the oldest of them (the end when none).</summary>
        public long StartOf(int events) => events == 0 ? watermarks.High.Value : _events[events - 1];

        public void ReadBack(int wanted, CancellationToken cancellationToken)
        {
            while (_events.Count < wanted && !Exhausted)
            {
                var from = Math.Max(watermarks.Low.Value, _scannedFrom - _chunk);
                var chunk = Read(from, _scannedFrom, cancellationToken);
                chunk.Reverse();
                _events.AddRange(chunk);
                _scannedFrom = from;
                _chunk = (int)Math.Min(_chunk * 2L, 64 * 1024);
            }
        }

        /// <summary>The offsets of the events in [<paramref name="from"/>, <paramref name="to"/>), oldest first.</summary>
        private List<long> Read(long from, long to, CancellationToken cancellationToken)
        {
            var events = new List<long>();
            consumer.Assign(new TopicPartitionOffset(partition, from));
            try
            {
                while (!cancellationToken.IsCancellationRequested)
                {
                    // Control records are never returned: the range may end in them, so its end shows as the next
                    // message's offset or as the end of the partition (for read_committed, where an open transaction
                    // begins: nothing after it is an event yet, and nothing comes within the timeout).
                    var result = consumer.Consume(ConsumeTimeout);
                    if (result is null || result.IsPartitionEOF || result.Offset.Value >= to)
                    {
                        return events;
                    }

                    if (EventEncoder.TryEncode(result) is not null)
                    {
                        events.Add(result.Offset.Value);
                    }
                }

                cancellationToken.ThrowIfCancellationRequested();
                return events;
            }
            finally
            {
                consumer.Unassign();
            }
        }
    }
}
