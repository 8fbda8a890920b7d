using System.Collections.Concurrent;
using Confluent.Kafka;
using EventStreams.Server.Diagnostics;

namespace EventStreams.Server.Kafka;

/// <summary>
/// Finds the first offset whose message timestamp is ≥ a time: from the shared cache when it holds that time,
/// else from the broker (<c>OffsetsForTimes</c>), else — when the broker answers "end" although the partition's
/// last message is at or after the time (the embedded broker always does) — by binary search over message timestamps.
/// </summary>
internal sealed partial class TimeLookup(KafkaClients kafka, BrokerCalls calls, TimeProvider time, ILogger<TimeLookup> logger) : IDisposable
{
    private const int LinearScanThreshold = 2000;
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    /// <summary>How long a lookup waits for a cache that its reader has just started to hold its first events.</summary>
    private static readonly TimeSpan FirstReadPatience = TimeSpan.FromSeconds(5);
    private readonly ConcurrentBag<IConsumer<byte[]?, byte[]?>> _idle = [];
    private int _cacheAnswers;
    private int _brokerAnswers;
    private int _binarySearches;

    /// <summary>How lookups were answered so far (tests and diagnostics).</summary>
    public (int Cache, int Broker, int BinarySearch) Answers => (_cacheAnswers, _brokerAnswers, _binarySearches);

    /// <summary>
    /// The first offset at or after <paramref name="timestamp"/> in <paramref name="cache"/>'s partition, from the cache
    /// whenever it covers the time, else from the broker on <see cref="BrokerCalls"/>. A cache whose reader has only just
    /// started (an instance that came up, a storm of clients resuming on it) is waited for until it holds its first events:
    /// it starts <see cref="SharedPartitionReader.MaxLookBack"/> messages back, so it answers every recent time, and the
    /// clients need no broker round trip each.
    /// </summary>
    public async Task<long> ResolveAsync(PartitionCache cache, long timestamp)
    {
        var waited = time.GetTimestamp();
        while (true)
        {
            var changed = cache.Changed;
            if (cache.OffsetForTimestamp(timestamp) is { } cached)
            {
                Interlocked.Increment(ref _cacheAnswers);
                return cached;
            }

            // Events held, yet none answers: the time is before the cache's window.
            var patience = FirstReadPatience - time.GetElapsedTime(waited);
            if (cache.Count > 0 || patience <= TimeSpan.Zero)
            {
                return await calls.RunAsync(() => Resolve(cache.Partition, timestamp));
            }

            try
            {
                await changed.WaitAsync(patience, time);
            }
            catch (TimeoutException)
            {
                // Nothing deliverable read within the patience (a window of skipped records): the broker decides.
            }
        }
    }

    /// <summary>The same from the broker alone, blocking (broker round trips: run it on <see cref="BrokerCalls"/>).</summary>
    public long Resolve(TopicPartition partition, long timestamp)
    {
        var consumer = Rent();
        try
        {
            var answer = consumer.OffsetsForTimes([new TopicPartitionTimestamp(partition, new Timestamp(timestamp, TimestampType.CreateTime))], Timeout)[0].Offset;
            var watermarks = consumer.QueryWatermarkOffsets(partition, Timeout);
            if (answer.Value >= 0 && answer.Value < watermarks.High.Value)
            {
                Interlocked.Increment(ref _brokerAnswers);
                return Math.Max(answer.Value, watermarks.Low.Value);
            }

            // "End": right only if the last message is older than the time asked for.
            if (watermarks.High.Value <= watermarks.Low.Value || LastMessage(consumer, partition, watermarks.Low.Value, watermarks.High.Value) is not { } last || last.Timestamp < timestamp)
            {
                Interlocked.Increment(ref _brokerAnswers);
                return watermarks.High.Value;
            }

            Interlocked.Increment(ref _binarySearches);
            LogBinarySearch(logger, partition.Topic, partition.Partition.Value, timestamp);
            return BinarySearch(consumer, partition, timestamp, watermarks.Low.Value, last.Offset);
        }
        finally
        {
            _idle.Add(consumer);
        }
    }

    public void Dispose()
    {
        while (_idle.TryTake(out var consumer))
        {
            consumer.Dispose();
        }
    }

    /// <summary>The first offset in [lo, hi] whose message timestamp is ≥ <paramref name="timestamp"/>; hi's message qualifies.</summary>
    private static long BinarySearch(IConsumer<byte[]?, byte[]?> consumer, TopicPartition partition, long timestamp, long lo, long hi)
    {
        // Each probe restarts a fetch; below this many messages one sequential read is cheaper.
        while (hi - lo > LinearScanThreshold)
        {
            var mid = lo + ((hi - lo) / 2);
            if (TimestampAt(consumer, partition, mid) is not { } found)
            {
                return hi;
            }

            if (found.Timestamp >= timestamp)
            {
                hi = mid;
            }
            else
            {
                lo = found.Offset + 1;
            }
        }

        consumer.Assign(new TopicPartitionOffset(partition, lo));
        try
        {
            while (consumer.Consume(Timeout) is { IsPartitionEOF: false } result && result.Offset.Value < hi)
            {
                if (result.Message.Timestamp.UnixTimestampMs >= timestamp)
                {
                    return result.Offset.Value;
                }
            }

            return hi;
        }
        finally
        {
            consumer.Unassign();
        }
    }

    /// <summary>
    /// The last message before <paramref name="high"/>. The last offsets may hold none a consumer sees (a transaction's
    /// control record, aborted records): step back, doubling, until a message answers, then read on to the end.
    /// </summary>
    private static (long Offset, long Timestamp)? LastMessage(IConsumer<byte[]?, byte[]?> consumer, TopicPartition partition, long low, long high)
    {
        for (var back = 1L; ; back *= 2)
        {
            var from = Math.Max(low, high - back);
            if (TimestampAt(consumer, partition, from) is { } first)
            {
                consumer.Assign(new TopicPartitionOffset(partition, first.Offset + 1));
                try
                {
                    var last = first;
                    while (consumer.Consume(Timeout) is { IsPartitionEOF: false } result)
                    {
                        last = (result.Offset.Value, result.Message.Timestamp.UnixTimestampMs);
                    }

                    return last;
                }
                finally
                {
                    consumer.Unassign();
                }
            }

            if (from == low)
            {
                return null;
            }
        }
    }

    /// <summary>The message at <paramref name="offset"/> or the first one after it.</summary>
    private static (long Offset, long Timestamp)? TimestampAt(IConsumer<byte[]?, byte[]?> consumer, TopicPartition partition, long offset)
    {
        consumer.Assign(new TopicPartitionOffset(partition, offset));
        try
        {
            var result = consumer.Consume(Timeout);
            return result is null || result.IsPartitionEOF ? null : (result.Offset.Value, result.Message.Timestamp.UnixTimestampMs);
        }
        finally
        {
            consumer.Unassign();
        }
    }

    private IConsumer<byte[]?, byte[]?> Rent() =>
        _idle.TryTake(out var consumer) ? consumer : kafka.CreateConsumer("time-lookup", config =>
        {
            config.QueuedMinMessages = 1000;
            config.MaxPartitionFetchBytes = 256 * 1024;
        });

    [LoggerMessage(LogEventIds.TimeLookupBinarySearch, LogLevel.Debug, "Broker answered 'end' for {Topic}/{Partition} at {Timestamp} although newer messages exist; binary search")]
    private static partial void LogBinarySearch(ILogger logger, string topic, int partition, long timestamp);
}
