using System.Globalization;
using System.Text;
using Confluent.Kafka;
using EventStreams.Server.Kafka;
using Microsoft.Extensions.DependencyInjection;

namespace EventStreams.IntegrationTests;

/// <summary><c>?since=</c> and timestamp ids before, inside and after the data, through the cache, the broker and the binary search.</summary>
public sealed class SinceTests : IAsyncLifetime
{
    private const int PerPartition = 30;
    private const int Partitions = 3;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private static readonly DateTimeOffset T0 = DateTimeOffset.UtcNow.AddHours(-1);
    private TestServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync("""
            streams:
              since.cold:
                topics: [since.cold]
              since.warm:
                topics: [since.warm]
              since.long:
                topics: [since.long]
              since.future:
                topics: [since.future]
              since.future2:
                topics: [since.future2]
            """, Partitions);
        await ProduceHistoryAsync("since.cold", T0);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private TimeLookup Lookup => _server.App.Services.GetRequiredService<TimeLookup>();

    [Fact]
    public async Task Since_InsideTheData_StartsEachPartitionAtTheFirstEventAtOrAfterIt()
    {
        var since = T0.AddMilliseconds((11 * 1000) - 500).ToUnixTimeMilliseconds();

        var events = await ReadAsync($"v2/stream/since.cold?since={since}", Partitions * (PerPartition - 11));

        AssertEachPartitionFrom(events, 11);
        Assert.Equal((Partitions, 0, 0), Lookup.Answers);
    }

    [Fact]
    public async Task Since_InALongPartition_BeforeTheReadersWindowByBinarySearch_InsideItByTheCache()
    {
        // The shared reader starts MaxLookBack messages before the end: a time before that is the broker's to answer
        // (the embedded broker answers "end", so the binary search runs); a time after it, the cache's.
        var count = SharedPartitionReader.MaxLookBack + 2000;
        using (var producer = _server.Kafka.CreateProducer(c => c.LingerMs = 20))
        {
            // Batched: 12,000 produce requests of one message each took over 30 s on a loaded machine.
            for (var i = 0; i < count; i++)
            {
                producer.Produce(new TopicPartition("since.long", 0), new Message<byte[]?, byte[]?> { Value = Encoding.UTF8.GetBytes($$"""{"i":{{i}}}"""), Timestamp = new Timestamp(T0.AddMilliseconds(i * 10)) });
            }

            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(60)));
        }

        var before = T0.AddMilliseconds(1234 * 10 - 5).ToUnixTimeMilliseconds();
        var inside = T0.AddMilliseconds(9876 * 10 - 5).ToUnixTimeMilliseconds();

        var fromBefore = await ReadAsync($"v2/stream/since.long?since={before}", 3);
        var answers = Lookup.Answers;
        var fromInside = await ReadAsync($"v2/stream/since.long?since={inside}", 3);

        Assert.Equal([1234, 1235, 1236], fromBefore.Select(e => e.Json.GetProperty("i").GetInt32()));
        Assert.Equal(1, answers.BinarySearch);
        Assert.Equal([9876, 9877, 9878], fromInside.Select(e => e.Json.GetProperty("i").GetInt32()));
        Assert.Equal((answers.Cache + Partitions, answers.Broker, 1), Lookup.Answers);
    }

    [Fact]
    public async Task Since_BeforeTheData_IsoFormat_DeliversEverything()
    {
        var since = T0.AddMinutes(-5).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

        var events = await ReadAsync($"v2/stream/since.cold?since={since}", Partitions * PerPartition);

        AssertEachPartitionFrom(events, 0);
    }

    [Fact]
    public async Task Since_AfterTheData_StartsAtTheLiveEdge()
    {
        var since = T0.AddMinutes(30).ToUnixTimeMilliseconds();
        using var http = _server.CreateClient();
        await using var sse = await SseClient.ConnectAsync(http, $"v2/stream/since.cold?since={since}");
        await sse.ReadAsync(Wait);

        await _server.ProduceAsync("since.cold", 1, """{"i":1000}""");
        var first = await sse.NextEventAsync(Wait);

        Assert.Equal(1000, first.Json.GetProperty("i").GetInt32());
    }

    [Theory]
    [InlineData("since")]
    [InlineData("timestamp id")]
    public async Task Since_InTheFuture_StartsAtTheEndAndDeliversEveryNewEventWhateverItsTimestamp(string form)
    {
        // The reference starts at the end for a time no event reaches; a time that filtered new events would be silence.
        var future = DateTimeOffset.UtcNow.AddHours(1).ToUnixTimeMilliseconds();
        var topic = form == "since" ? "since.future" : "since.future2";
        await _server.ProduceAsync(topic, 1, """{"i":-1}""");
        using var http = _server.CreateClient();
        await using var sse = form == "since"
            ? await SseClient.ConnectAsync(http, $"v2/stream/{topic}?since={future}")
            : await SseClient.ConnectAsync(http, $"v2/stream/{topic}", $$"""[{"topic":"{{topic}}","partition":1,"timestamp":{{future}}}]""");
        await sse.ReadAsync(Wait);

        // Stamped before the requested time: now, an hour ago, and at T0.
        await _server.ProduceAsync(topic, 1, """{"i":1}""");
        await _server.ProduceAsync(topic, 1, """{"i":2}""", timestamp: DateTimeOffset.UtcNow.AddHours(-1));
        await _server.ProduceAsync(topic, 1, """{"i":3}""", timestamp: T0);

        Assert.Equal(1, (await sse.NextEventAsync(Wait)).Json.GetProperty("i").GetInt32());
        Assert.Equal(2, (await sse.NextEventAsync(Wait)).Json.GetProperty("i").GetInt32());
        Assert.Equal(3, (await sse.NextEventAsync(Wait)).Json.GetProperty("i").GetInt32());
    }

    [Fact]
    public async Task Since_InsideTheCachedWindow_IsAnsweredByTheCache()
    {
        var t1 = DateTimeOffset.UtcNow.AddMinutes(-10);
        using var http = _server.CreateClient();
        await using (var live = await SseClient.ConnectAsync(http, "v2/stream/since.warm"))
        {
            await live.ReadAsync(Wait);
            await ProduceHistoryAsync("since.warm", t1);
            for (var n = 0; n < Partitions * PerPartition; n++)
            {
                await live.NextEventAsync(Wait);
            }

            var before = Lookup.Answers;
            var since = t1.AddMilliseconds((6 * 1000) - 1).ToUnixTimeMilliseconds();

            var events = await ReadAsync($"v2/stream/since.warm?since={since}", Partitions * (PerPartition - 6));

            AssertEachPartitionFrom(events, 6);
            Assert.Equal(before.Cache + Partitions, Lookup.Answers.Cache);
            Assert.Equal(before.BinarySearch, Lookup.Answers.BinarySearch);
        }
    }

    [Fact]
    public async Task LastEventId_TimestampElements_ResumeEachPartitionAtItsOwnTime()
    {
        var id = $$"""[{"topic":"since.cold","partition":0,"timestamp":{{T0.AddSeconds(5).ToUnixTimeMilliseconds()}}},{"topic":"since.cold","partition":2,"timestamp":{{T0.AddSeconds(25).ToUnixTimeMilliseconds()}}}]""";
        using var http = _server.CreateClient();
        await using var sse = await SseClient.ConnectAsync(http, "v2/stream/since.cold", id);

        var events = new List<SseEvent>();
        for (var n = 0; n < (PerPartition - 5) + (PerPartition - 25); n++)
        {
            events.Add(await sse.NextEventAsync(Wait));
        }

        Assert.Equal(Enumerable.Range(5, PerPartition - 5), Seqs(events, 0));
        Assert.Equal(Enumerable.Range(25, PerPartition - 25), Seqs(events, 2));
        Assert.Empty(Seqs(events, 1));
        Assert.DoesNotContain("\"partition\":1", events[^1].Id, StringComparison.Ordinal);
    }

    private async Task ProduceHistoryAsync(string topic, DateTimeOffset start)
    {
        for (var i = 0; i < PerPartition; i++)
        {
            for (var p = 0; p < Partitions; p++)
            {
                await _server.ProduceAsync(topic, p, $$"""{"i":{{i}},"p":{{p}}}""", timestamp: start.AddSeconds(i));
            }
        }
    }

    private async Task<List<SseEvent>> ReadAsync(string path, int count)
    {
        using var http = _server.CreateClient();
        await using var sse = await SseClient.ConnectAsync(http, path);
        var events = new List<SseEvent>();
        while (events.Count < count)
        {
            events.Add(await sse.NextEventAsync(Wait));
        }

        return events;
    }

    private static void AssertEachPartitionFrom(List<SseEvent> events, int first)
    {
        for (var p = 0; p < Partitions; p++)
        {
            Assert.Equal(Enumerable.Range(first, PerPartition - first), Seqs(events, p));
        }
    }

    private static List<int> Seqs(List<SseEvent> events, int partition) =>
        events.Where(e => e.Json.GetProperty("meta").GetProperty("partition").GetInt32() == partition)
            .Select(e => e.Json.GetProperty("i").GetInt32())
            .ToList();
}
