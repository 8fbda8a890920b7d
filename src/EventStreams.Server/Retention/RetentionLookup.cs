using System.Collections.Concurrent;
using Confluent.Kafka;
using EventStreams.Server.Kafka;
using Microsoft.Extensions.Options;

namespace EventStreams.Server.Retention;

/// <summary>
/// Per topic-partition: the low and high watermarks and the timestamp of the oldest retained event. Each answer (or
/// failure) is reused for <see cref="RetentionOptions.CacheSeconds"/> from the moment its query started, and callers
/// asking while it runs share it: the broker gets at most one query per partition per period however many clients ask.
/// </summary>
internal sealed class RetentionLookup : IDisposable
{
    private static readonly TimeSpan ConsumeTimeout = TimeSpan.FromSeconds(10);
    private readonly KafkaClients _kafka;
    private readonly Func<TopicPartition, PartitionRetention> _query;
    private readonly TimeProvider _time;
    private readonly TimeSpan _ttl;
    private readonly SemaphoreSlim _slots;
    private readonly ConcurrentBag<IConsumer<byte[]?, byte[]?>> _idle = [];
    private readonly Lock _gate = new();
    private readonly Dictionary<TopicPartition, (Task<PartitionRetention> Answer, long StartedAt)> _answers = [];
    private int _queries;
    private int _running;
    private int _peak;

    public RetentionLookup(KafkaClients kafka, TimeProvider time, IOptions<RetentionOptions> options)
        : this(kafka, null, time, options)
    {
    }

    /// <summary>With <paramref name="query"/> (unit tests) instead of the broker round trip for one partition.</summary>
    internal RetentionLookup(KafkaClients kafka, Func<TopicPartition, PartitionRetention>? query, TimeProvider time, IOptions<RetentionOptions> options)
    {
        _kafka = kafka;
        _query = query ?? Query;
        _time = time;
        _ttl = TimeSpan.FromSeconds(options.Value.CacheSeconds);
        _slots = new SemaphoreSlim(options.Value.MaxConcurrentQueries);
    }

    /// <summary>Broker queries made so far (one per partition per period; tests).</summary>
    public int Queries => Volatile.Read(ref _queries);

    /// <summary>The most broker queries that ran at once (tests: never above <see cref="RetentionOptions.MaxConcurrentQueries"/>).</summary>
    public int PeakConcurrentQueries => Volatile.Read(ref _peak);

    /// <summary>Every partition of <paramref name="topic"/> (none when the topic does not exist yet).</summary>
    public async Task<PartitionRetention[]> TopicAsync(string topic, CancellationToken cancellationToken)
    {
        var partitions = await Task.Run(() => _kafka.PartitionCount(topic), cancellationToken);
        return await Task.WhenAll(Enumerable.Range(0, partitions).Select(p => PartitionAsync(new TopicPartition(topic, p)).WaitAsync(cancellationToken)));
    }

    public Task<PartitionRetention> PartitionAsync(TopicPartition partition)
    {
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            if (_answers.TryGetValue(partition, out var cached) && (!cached.Answer.IsCompleted || _time.GetElapsedTime(cached.StartedAt, now) < _ttl))
            {
                return cached.Answer;
            }

            // Forget expired answers of partitions nobody asks about any more (a topic gone from the catalogue).
            foreach (var (key, old) in _answers.Where(a => a.Value.Answer.IsCompleted && _time.GetElapsedTime(a.Value.StartedAt, now) >= _ttl).ToList())
            {
                _answers.Remove(key);
            }

            var answer = QueryAsync(partition);
            _answers[partition] = (answer, now);
            return answer;
        }
    }

    public void Dispose()
    {
        while (_idle.TryTake(out var consumer))
        {
            consumer.Dispose();
        }

        _slots.Dispose();
    }

    private async Task<PartitionRetention> QueryAsync(TopicPartition partition)
    {
        await _slots.WaitAsync();
        try
        {
            return await Task.Run(() => Counted(partition));
        }
        finally
        {
            _slots.Release();
        }
    }

    private PartitionRetention Counted(TopicPartition partition)
    {
        Interlocked.Increment(ref _queries);
        var running = Interlocked.Increment(ref _running);
        for (var peak = Volatile.Read(ref _peak); running > peak; peak = Volatile.Read(ref _peak))
        {
            Interlocked.CompareExchange(ref _peak, running, peak);
        }

        try
        {
            return _query(partition);
        }
        finally
        {
            Interlocked.Decrement(ref _running);
        }
    }

    private PartitionRetention Query(TopicPartition partition)
    {
        var watermarks = _kafka.Watermarks(partition);
        var (low, high) = (watermarks.Low.Value, watermarks.High.Value);
        return new PartitionRetention(partition.Topic, partition.Partition.Value, low, high, high > low ? OldestTimestamp(new TopicPartitionOffset(partition, low)) : null);
    }

    /// <summary>The timestamp of the event at <paramref name="low"/>, or of the first one after it when that one was just deleted.</summary>
    private long? OldestTimestamp(TopicPartitionOffset low)
    {
        var consumer = _idle.TryTake(out var idle) ? idle : _kafka.CreateConsumer("retention", config =>
        {
            config.QueuedMinMessages = 1;
            config.MaxPartitionFetchBytes = 64 * 1024;
        });
        try
        {
            consumer.Assign(low);
            var result = consumer.Consume(ConsumeTimeout);
            return result is null || result.IsPartitionEOF ? null : result.Message.Timestamp.UnixTimestampMs;
        }
        finally
        {
            consumer.Unassign();
            _idle.Add(consumer);
        }
    }
}
