using Confluent.Kafka;
using EventStreams.Server.Kafka;
using EventStreams.Server.Streaming;

namespace EventStreams.Server.Tests.Kafka;

public sealed class PartitionCacheTests
{
    private static readonly TopicPartition Partition = new("t", 0);

    private static KafkaEvent Event(long offset, long timestamp, int size = 10) => new("t", 0, offset, timestamp, new byte[size]);

    [Fact]
    public void TryRead_FromInsideTheWindow_ReturnsEventsInOrder()
    {
        var cache = new PartitionCache(Partition, 100, 1 << 20);
        for (var o = 100; o < 110; o++)
        {
            cache.Append(Event(o, o * 10));
        }

        var into = new List<KafkaEvent>();
        Assert.True(cache.TryRead(105, into, 3));

        Assert.Equal([105L, 106L, 107L], into.Select(e => e.Offset));
        Assert.Equal(110, cache.End);
    }

    [Fact]
    public void Append_OverBudget_EvictsOldestKeepsNewestAndReportsBehind()
    {
        var cache = new PartitionCache(Partition, 0, 100);
        for (var o = 0; o < 30; o++)
        {
            cache.Append(Event(o, o, size: 10));
        }

        Assert.Equal(10, cache.Count);
        Assert.Equal(20, cache.CompleteFrom);
        Assert.False(cache.TryRead(19, [], 10));
        var big = new PartitionCache(Partition, 0, 5);
        big.Append(Event(0, 0, size: 50));
        Assert.Equal(1, big.Count);
    }

    [Fact]
    public void OffsetForTimestamp_InsideBeforeAndAfterTheWindow()
    {
        var cache = new PartitionCache(Partition, 10, 1 << 20);
        cache.Append(Event(10, 1000));
        cache.Append(Event(11, 1000));
        cache.Append(Event(12, 2000));

        Assert.Null(cache.OffsetForTimestamp(1000)); // messages before the window may share the first held time
        Assert.Equal(12, cache.OffsetForTimestamp(1500));
        Assert.Equal(13, cache.OffsetForTimestamp(9999));
        Assert.Null(cache.OffsetForTimestamp(999));
        Assert.Equal((1000, 2), cache.TimestampBefore(12));
        Assert.Equal((1000, 1), cache.TimestampBefore(11));
        Assert.Null(cache.TimestampBefore(10));
    }

    [Fact]
    public void OffsetForTimestamp_ReadFromTheOldest_AnswersBeforeTheFirstHeldEventAndForAnEmptyPartition()
    {
        var empty = new PartitionCache(Partition, 7, 1 << 20) { FromOldest = true, EndWhenStarted = 7 };
        var filling = new PartitionCache(Partition, 0, 1 << 20) { FromOldest = true, EndWhenStarted = 100 };
        filling.Advance(99);
        var fromOldest = new PartitionCache(Partition, 0, 1 << 20) { FromOldest = true };
        fromOldest.Append(Event(0, 1000));
        fromOldest.Append(Event(1, 2000));
        var evicted = new PartitionCache(Partition, 0, 15) { FromOldest = true };
        evicted.Append(Event(0, 1000));
        evicted.Append(Event(1, 2000));

        Assert.Equal(7, empty.OffsetForTimestamp(1000));
        Assert.Null(filling.OffsetForTimestamp(1000)); // nothing read yet: cannot tell
        Assert.Equal(0, fromOldest.OffsetForTimestamp(999));
        Assert.Equal(0, fromOldest.OffsetForTimestamp(1000));
        Assert.Null(evicted.OffsetForTimestamp(999)); // the oldest was evicted: messages before the window again
        filling.Append(Event(0, 500));
        Assert.Equal(1, filling.OffsetForTimestamp(1000)); // where the reader has read to: early, never late
    }

    [Fact]
    public async Task Changed_CompletesOnPublish()
    {
        var cache = new PartitionCache(Partition, 0, 1 << 20);
        var changed = cache.Changed;

        cache.Append(Event(0, 0));
        Assert.False(changed.IsCompleted);
        cache.Publish();

        await changed.WaitAsync(TimeSpan.FromSeconds(5));
        Assert.NotSame(changed, cache.Changed);
    }

    [Fact]
    public async Task Publish_SignalsEveryWatcherUntilItUnwatches()
    {
        var cache = new PartitionCache(Partition, 0, 1 << 20);
        using var timer = new WakeupTimer(TimeProvider.System);
        using var watching = new Wakeup(timer);
        using var leaving = new Wakeup(timer);
        cache.Watch(watching);
        cache.Watch(leaving);
        cache.Unwatch(leaving);
        watching.Reset();
        leaving.Reset();
        var woken = watching.WaitAsync(Timeout.InfiniteTimeSpan, CancellationToken.None);
        var notWoken = leaving.WaitAsync(Timeout.InfiniteTimeSpan, CancellationToken.None);

        cache.Append(Event(0, 0));
        var beforePublish = woken.IsCompleted;
        cache.Publish();

        Assert.False(beforePublish);
        Assert.True(woken.IsCompleted);
        Assert.True(await woken.AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
        Assert.False(notWoken.IsCompleted);
        leaving.Signal();
        Assert.True(await notWoken.AsTask().WaitAsync(TimeSpan.FromSeconds(5)));
    }
}
