using System.Buffers;
using System.Text;
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

        Assert.Equal(10, cache.OffsetForTimestamp(1000));
        Assert.Equal(12, cache.OffsetForTimestamp(1500));
        Assert.Equal(13, cache.OffsetForTimestamp(9999));
        Assert.Null(cache.OffsetForTimestamp(999));
        Assert.Equal(1000, cache.TimestampBefore(12));
        Assert.Null(cache.TimestampBefore(10));
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

    [Theory]
    [InlineData(IdFormat.Offset, """{"topic":"t","partition":0,"offset":43}""")]
    [InlineData(IdFormat.Timestamp, """{"topic":"t","partition":0,"timestamp":777}""")]
    public void PartitionPosition_WriteId_AfterDelivery(IdFormat format, string expected)
    {
        var position = new PartitionPosition(0, new PartitionCache(Partition, 0, 1 << 20), 40, resumeTimestamp: null);
        position.Delivered(Event(42, 777));
        var buffer = new ArrayBufferWriter<byte>();

        position.WriteId(buffer, format);

        Assert.Equal(expected, Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void PartitionPosition_TimestampFormatWithoutKnownTime_FallsBackToOffset()
    {
        var position = new PartitionPosition(0, new PartitionCache(Partition, 0, 1 << 20), 40, resumeTimestamp: null);
        var buffer = new ArrayBufferWriter<byte>();

        position.WriteId(buffer, IdFormat.Timestamp);

        Assert.Equal("""{"topic":"t","partition":0,"offset":40}""", Encoding.UTF8.GetString(buffer.WrittenSpan));
    }

    [Fact]
    public void Subscription_WriteId_PatchedIdMatchesAFreshRender_AsElementsMoveGrowAndLearnTheirTime()
    {
        // Partition 0 resumes in the shared cache's window (its time becomes known once the cache reads offset 8);
        // partition 1 far behind it, with offsets that gain digits.
        var live = new PartitionCache(Partition, 8, 1 << 20);
        var behind = new PartitionCache(new TopicPartition("t", 1), 500, 1 << 20);
        var positions = new[] { new PartitionPosition(0, live, 9, null), new PartitionPosition(1, behind, 8, null) };
        var subscription = new Subscription(null!, positions, IdFormat.Timestamp, null!, TimeProvider.System);
        var ids = new List<string>();
        string Id()
        {
            var buffer = new ArrayBufferWriter<byte>();
            subscription.WriteId(buffer);
            return Encoding.UTF8.GetString(buffer.WrittenSpan);
        }

        ids.Add(Id());
        live.Append(Event(8, 80));
        ids.Add(Id());
        positions[1].Delivered(new KafkaEvent("t", 1, 9, 1_000, []));
        ids.Add(Id());
        positions[1].Delivered(new KafkaEvent("t", 1, 10, 1_001, []));
        ids.Add(Id());
        positions[0].Delivered(Event(9, 90));
        ids.Add(Id());

        Assert.Equal(
        [
            """[{"topic":"t","partition":0,"offset":9},{"topic":"t","partition":1,"offset":8}]""",
            """[{"topic":"t","partition":0,"timestamp":80},{"topic":"t","partition":1,"offset":8}]""",
            """[{"topic":"t","partition":0,"timestamp":80},{"topic":"t","partition":1,"timestamp":1000}]""",
            """[{"topic":"t","partition":0,"timestamp":80},{"topic":"t","partition":1,"timestamp":1001}]""",
            """[{"topic":"t","partition":0,"timestamp":90},{"topic":"t","partition":1,"timestamp":1001}]""",
        ], ids);
    }

    [Fact]
    public void Subscription_WriteId_OffsetThatGainsADigit_IsRenderedWhole()
    {
        var positions = new[] { new PartitionPosition(0, new PartitionCache(Partition, 0, 1 << 20), 8, null), new PartitionPosition(1, new PartitionCache(new TopicPartition("t", 1), 0, 1 << 20), 5, null) };
        var subscription = new Subscription(null!, positions, IdFormat.Offset, null!, TimeProvider.System);
        var buffer = new ArrayBufferWriter<byte>();

        subscription.WriteId(buffer);
        positions[0].Delivered(Event(8, 1));
        subscription.WriteId(buffer);
        positions[0].Delivered(Event(9, 2));
        subscription.WriteId(buffer);

        Assert.Equal(
            """[{"topic":"t","partition":0,"offset":8},{"topic":"t","partition":1,"offset":5}]"""
            + """[{"topic":"t","partition":0,"offset":9},{"topic":"t","partition":1,"offset":5}]"""
            + """[{"topic":"t","partition":0,"offset":10},{"topic":"t","partition":1,"offset":5}]""",
            Encoding.UTF8.GetString(buffer.WrittenSpan));
    }
}
