using System.Buffers;
using System.Text;
using Confluent.Kafka;
using EventStreams.Server.Kafka;
using EventStreams.Server.Streaming;
using EventStreams.Server.Streaming.EventIds;

namespace EventStreams.Server.Tests.Streaming.EventIds;

/// <summary>Rendering, patching and resuming event ids: the one place their format lives.</summary>
public sealed class EventIdWriterTests
{
    private static readonly TopicPartition Partition = new("t", 0);

    private static KafkaEvent Event(long offset, long timestamp) => new("t", 0, offset, timestamp, new byte[10]);

    private static string Render(PartitionPosition[] positions, IdFormat format)
    {
        var buffer = new ArrayBufferWriter<byte>();
        new EventIdWriter(positions, format).Write(buffer);
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    [Theory]
    [InlineData(IdFormat.Offset, """[{"topic":"t","partition":0,"offset":43}]""")]
    [InlineData(IdFormat.Timestamp, """[{"topic":"t","partition":0,"timestamp":777,"skip":1}]""")]
    public void Write_AfterDelivery(IdFormat format, string expected)
    {
        var position = new PartitionPosition(0, new PartitionCache(Partition, 0, 1 << 20), 40, resumeTimestamp: null);
        position.Delivered(Event(42, 777));

        Assert.Equal(expected, Render([position], format));
    }

    [Fact]
    public void Write_EventsSharingAMillisecond_CountsThemInSkip()
    {
        var position = new PartitionPosition(0, new PartitionCache(Partition, 0, 1 << 20), 0, resumeTimestamp: 5);

        var before = Render([position], IdFormat.Timestamp);
        position.Delivered(Event(0, 7));
        position.Delivered(Event(1, 7));
        position.Delivered(Event(2, 7));
        var three = Render([position], IdFormat.Timestamp);
        position.Delivered(Event(3, 8));

        Assert.Equal("""[{"topic":"t","partition":0,"timestamp":5}]""", before);
        Assert.Equal("""[{"topic":"t","partition":0,"timestamp":7,"skip":3}]""", three);
        Assert.Equal("""[{"topic":"t","partition":0,"timestamp":8,"skip":1}]""", Render([position], IdFormat.Timestamp));
    }

    [Fact]
    public void Swallows_EventsBeforeTheResumePoint_AndTheSkippedOnesOfItsMillisecond()
    {
        var position = new PartitionPosition(0, new PartitionCache(Partition, 0, 1 << 20), 0, resumeTimestamp: 7, resumeSkip: 2);

        bool[] swallowed = [.. new[] { Event(0, 6), Event(1, 7), Event(2, 7), Event(3, 7), Event(4, 6) }.Select(position.Swallows)];
        var id = Render([position], IdFormat.Timestamp);
        position.Delivered(Event(3, 7));

        Assert.Equal([true, true, true, false, false], swallowed);
        Assert.Equal("""[{"topic":"t","partition":0,"timestamp":7,"skip":2}]""", id);
        Assert.Equal("""[{"topic":"t","partition":0,"timestamp":7,"skip":3}]""", Render([position], IdFormat.Timestamp));
    }

    [Fact]
    public void Write_LatestStart_TakesTimeAndRunOfTheMessagesBeforeIt_OnceTheCacheHasThem()
    {
        var cache = new PartitionCache(Partition, 10, 1 << 20);
        var position = new PartitionPosition(0, cache, 13, resumeTimestamp: null);

        var unknown = Render([position], IdFormat.Timestamp);
        cache.Append(Event(10, 4));
        cache.Append(Event(11, 5));
        cache.Append(Event(12, 5));

        Assert.Equal("""[{"topic":"t","partition":0,"offset":13}]""", unknown);
        Assert.Equal("""[{"topic":"t","partition":0,"timestamp":5,"skip":2}]""", Render([position], IdFormat.Timestamp));
    }

    [Fact]
    public void Delivered_FirstEventSharesTheMillisecondOfThoseBeforeTheStart_CountsThemToo()
    {
        var cache = new PartitionCache(Partition, 10, 1 << 20);
        cache.Append(Event(10, 5));
        cache.Append(Event(11, 5));
        var position = new PartitionPosition(0, cache, 12, resumeTimestamp: null);

        position.Delivered(Event(12, 5));

        Assert.Equal("""[{"topic":"t","partition":0,"timestamp":5,"skip":3}]""", Render([position], IdFormat.Timestamp));
    }

    [Fact]
    public void Write_PatchedIdMatchesAFreshRender_AsElementsMoveGrowAndLearnTheirTime()
    {
        // Partition 0 resumes in the shared cache's window (its time becomes known once the cache reads offset 8);
        // partition 1 far behind it, with offsets that gain digits.
        var live = new PartitionCache(Partition, 8, 1 << 20);
        var behind = new PartitionCache(new TopicPartition("t", 1), 500, 1 << 20);
        var positions = new[] { new PartitionPosition(0, live, 9, null), new PartitionPosition(1, behind, 8, null) };
        var writer = new EventIdWriter(positions, IdFormat.Timestamp);
        var ids = new List<string>();
        string Id()
        {
            var buffer = new ArrayBufferWriter<byte>();
            writer.Write(buffer);
            var patched = Encoding.UTF8.GetString(buffer.WrittenSpan);
            Assert.Equal(Render(positions, IdFormat.Timestamp), patched);
            return patched;
        }

        ids.Add(Id());
        live.Append(Event(8, 80));
        ids.Add(Id());
        positions[1].Delivered(new KafkaEvent("t", 1, 9, 1_000, []));
        ids.Add(Id());
        positions[1].Delivered(new KafkaEvent("t", 1, 10, 1_001, []));
        ids.Add(Id());
        positions[1].Delivered(new KafkaEvent("t", 1, 11, 1_001, []));
        ids.Add(Id());
        positions[0].Delivered(Event(9, 90));
        ids.Add(Id());

        Assert.Equal(
        [
            """[{"topic":"t","partition":0,"offset":9},{"topic":"t","partition":1,"offset":8}]""",
            """[{"topic":"t","partition":0,"timestamp":80,"skip":1},{"topic":"t","partition":1,"offset":8}]""",
            """[{"topic":"t","partition":0,"timestamp":80,"skip":1},{"topic":"t","partition":1,"timestamp":1000,"skip":1}]""",
            """[{"topic":"t","partition":0,"timestamp":80,"skip":1},{"topic":"t","partition":1,"timestamp":1001,"skip":1}]""",
            """[{"topic":"t","partition":0,"timestamp":80,"skip":1},{"topic":"t","partition":1,"timestamp":1001,"skip":2}]""",
            """[{"topic":"t","partition":0,"timestamp":90,"skip":1},{"topic":"t","partition":1,"timestamp":1001,"skip":2}]""",
        ], ids);
    }

    [Fact]
    public void Write_OffsetThatGainsADigit_IsRenderedWhole()
    {
        var positions = new[] { new PartitionPosition(0, new PartitionCache(Partition, 0, 1 << 20), 8, null), new PartitionPosition(1, new PartitionCache(new TopicPartition("t", 1), 0, 1 << 20), 5, null) };
        var writer = new EventIdWriter(positions, IdFormat.Offset);
        var buffer = new ArrayBufferWriter<byte>();

        writer.Write(buffer);
        positions[0].Delivered(Event(8, 1));
        writer.Write(buffer);
        positions[0].Delivered(Event(9, 2));
        writer.Write(buffer);

        Assert.Equal(
            """[{"topic":"t","partition":0,"offset":8},{"topic":"t","partition":1,"offset":5}]"""
            + """[{"topic":"t","partition":0,"offset":9},{"topic":"t","partition":1,"offset":5}]"""
            + """[{"topic":"t","partition":0,"offset":10},{"topic":"t","partition":1,"offset":5}]""",
            Encoding.UTF8.GetString(buffer.WrittenSpan));
    }
}
