using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Confluent.Kafka;

namespace EventStreams.IntegrationTests;

/// <summary>
/// A transactional producer, committed and aborted batches interleaved, under a live reader, a reader from history and
/// readers resuming from every event in both id forms. Each transaction leaves an offset no event has (its control
/// record), so positions cross gaps everywhere; <c>since=0</c> once resolved to the end when the last offset was one.
/// The aborted batches are aborted unflushed, so the producer drops them and they leave no records in the log: this
/// test does not show <c>read_committed</c> filtering of aborted records that reached the broker.
/// </summary>
public sealed class TransactionTests : IAsyncLifetime
{
    private const string Topic = "txn.s";
    private const int Batches = 12;
    private const int PerBatch = 5;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly string _run = Guid.NewGuid().ToString("N");
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync($$"""
        streams:
          {{Topic}}:
            topics: [{{Topic}}]
        """);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private static bool Aborted(int batch) => batch % 3 == 1;

    [Fact]
    public async Task CommittedAndAbortedBatches_LiveHistoryAndResumingReaders_GetExactlyTheCommittedEventsOnce()
    {
        using var http = _server.CreateClient();
        await using var live = await SseClient.ConnectAsync(http, $"v2/stream/{Topic}");
        await live.ReadAsync(Wait);

        using (var producer = _server.Kafka.CreateProducer(c => (c.TransactionalId, c.LingerMs) = ($"txn-{_run}", 0)))
        {
            producer.InitTransactions(Wait);
            for (var b = 0; b < Batches; b++)
            {
                producer.BeginTransaction();
                for (var i = 0; i < PerBatch; i++)
                {
                    producer.Produce(new TopicPartition(Topic, 0), new Message<byte[]?, byte[]?> { Value = Encoding.UTF8.GetBytes($$"""{"b":{{b}},"i":{{i}}}""") });
                }

                if (Aborted(b))
                {
                    producer.AbortTransaction(Wait);
                }
                else
                {
                    producer.CommitTransaction(Wait);
                }
            }

            // The end marker, committed too: every reader reads up to it, so "nothing more" needs no waiting.
            producer.BeginTransaction();
            producer.Produce(new TopicPartition(Topic, 0), new Message<byte[]?, byte[]?> { Value = """{"end":true}"""u8.ToArray() });
            producer.CommitTransaction(Wait);
        }

        var expected = (from b in Enumerable.Range(0, Batches) where !Aborted(b) from i in Enumerable.Range(0, PerBatch) select (b, i)).ToList();
        var fromLive = await ReadToEndAsync(live);
        var fromHistory = await ReadToEndAsync(http, $"v2/stream/{Topic}?since=0");

        Report(expected.Count, fromLive, "live");
        Assert.Equal(expected, Keys(fromLive));
        Assert.Equal(expected, Keys(fromHistory));

        // Resume after every event, with the server's timestamp ids and with offset ids (the offset after the event).
        for (var n = 0; n < fromHistory.Count; n++)
        {
            var offset = fromHistory[n].Json.GetProperty("meta").GetProperty("offset").GetInt64();
            var byTimestamp = await ReadToEndAsync(http, $"v2/stream/{Topic}", fromHistory[n].Id);
            var byOffset = await ReadToEndAsync(http, $"v2/stream/{Topic}", $$"""[{"topic":"{{Topic}}","partition":0,"offset":{{offset + 1}}}]""");

            Assert.Equal(expected.Skip(n + 1), Keys(byTimestamp));
            Assert.Equal(expected.Skip(n + 1), Keys(byOffset));
        }

        // since=last:N (the web UI's "last N events"): an offset id N offsets before the end gives fewer than N events
        // across the commit markers; the id the retention route counts back in events gives exactly the last N.
        var retention = await http.GetFromJsonAsync<JsonElement>($"v2/retention/{Topic}?last=10").WaitAsync(Wait);
        var high = retention.GetProperty("streams")[0].GetProperty("partitions")[0].GetProperty("high").GetInt64();
        var byOffsets = await ReadToEndAsync(http, $"v2/stream/{Topic}", $$"""[{"topic":"{{Topic}}","partition":0,"offset":{{high - 10}}}]""");
        var lastTen = await ReadToEndAsync(http, $"v2/stream/{Topic}", retention.GetProperty("last").GetProperty("start").GetRawText());
        Console.WriteLine($"TransactionTests: high watermark {high} for {expected.Count + 1} committed events; last:10 as 10 offsets gave {byOffsets.Count + 1} events, counted back by the server {lastTen.Count + 1} (the end marker included)");

        Assert.Equal(10, retention.GetProperty("last").GetProperty("events").GetInt32());
        Assert.Equal(expected.TakeLast(9), Keys(lastTen)); // and the end marker: 10
    }

    /// <summary>
    /// last:N over two partitions with commit markers, aborted batches and a tombstone: N split evenly, a partition
    /// holding less than its share leaving the rest to the other, exactly N events in all.
    /// </summary>
    [Fact]
    public async Task LastN_TwoPartitionsWithGaps_ExactlyTheLastNCommittedEventsSplitOverThem()
    {
        await using var server = await TestServer.StartAsync("""
            streams:
              txn.two:
                topics: [txn.two]
            """, partitions: 2);
        using (var producer = server.Kafka.CreateProducer(c => (c.TransactionalId, c.LingerMs) = ($"txn-two-{_run}", 0)))
        {
            producer.InitTransactions(Wait);
            for (var b = 0; b < 8; b++)
            {
                producer.BeginTransaction();
                for (var i = 0; i < 3; i++)
                {
                    producer.Produce(new TopicPartition("txn.two", 0), new Message<byte[]?, byte[]?> { Value = Encoding.UTF8.GetBytes($$"""{"b":{{b}},"i":{{i}}}""") });
                }

                if (b == 2)
                {
                    // A tombstone takes an offset but is no event.
                    producer.Produce(new TopicPartition("txn.two", 0), new Message<byte[]?, byte[]?> { Value = null });
                }

                if (b == 5)
                {
                    producer.Produce(new TopicPartition("txn.two", 1), new Message<byte[]?, byte[]?> { Value = """{"b":100,"i":0}"""u8.ToArray() });
                    producer.Produce(new TopicPartition("txn.two", 1), new Message<byte[]?, byte[]?> { Value = """{"b":100,"i":1}"""u8.ToArray() });
                }

                if (Aborted(b))
                {
                    producer.AbortTransaction(Wait);
                }
                else
                {
                    producer.CommitTransaction(Wait);
                }
            }
        }

        using var http = server.CreateClient();
        var retention = await http.GetFromJsonAsync<JsonElement>("v2/retention/txn.two?last=10").WaitAsync(Wait);
        var last = retention.GetProperty("last");
        var events = new List<SseEvent>();
        await using (var sse = await SseClient.ConnectAsync(http, "v2/stream/txn.two", last.GetProperty("start").GetRawText()))
        {
            await sse.ReadAsync(Wait); // ":ok": subscribed, so the end markers come after everything before them
            await server.ProduceAsync("txn.two", 0, """{"end":true}""");
            await server.ProduceAsync("txn.two", 1, """{"end":true}""");
            for (var ends = 0; ends < 2;)
            {
                var e = await sse.NextEventAsync(Wait);
                if (e.Json.TryGetProperty("end", out _))
                {
                    ends++;
                }
                else
                {
                    events.Add(e);
                }
            }
        }

        // Partition 0's committed events: batches 0, 2, 3, 5, 6 (1, 4 and 7 aborted); partition 1: the two of batch 5.
        var partitionZero = (from b in new[] { 0, 2, 3, 5, 6 } from i in Enumerable.Range(0, 3) select (b, i)).ToList();
        var high = retention.GetProperty("streams")[0].GetProperty("partitions")[0].GetProperty("high").GetInt64();
        Console.WriteLine($"TransactionTests: last:10 over two partitions (partition 0: high watermark {high} for 15 committed events) gave {events.Count} events, {Keys(events).Count(k => k.B == 100)} of them from partition 1");
        Assert.Equal(10, last.GetProperty("events").GetInt32());
        Assert.Equal(10, last.GetProperty("requested").GetInt32());
        Assert.Equal(partitionZero.TakeLast(8).Append((100, 0)).Append((100, 1)).Order(), Keys(events).Order());
    }

    [Theory]
    [InlineData("0")]
    [InlineData("1000001")]
    [InlineData("x")]
    [InlineData("5&last=6")]
    public async Task LastN_NotAWholeNumberFromOneToAMillion_400(string last)
    {
        using var http = _server.CreateClient();

        using var response = await http.GetAsync($"v2/retention/{Topic}?last={last}").WaitAsync(Wait);

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("invalid_last", (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("type").GetString());
    }

    private static void Report(int committed, List<SseEvent> received, string reader)
    {
        var keys = Keys(received);
        Console.WriteLine($"TransactionTests ({reader}): committed {committed}, aborted {Batches / 3 * PerBatch}, received {keys.Count}, repeated {keys.Count - keys.Distinct().Count()}");
    }

    private static List<(int B, int I)> Keys(List<SseEvent> events) =>
        [.. events.Select(e => (e.Json.GetProperty("b").GetInt32(), e.Json.GetProperty("i").GetInt32()))];

    private static async Task<List<SseEvent>> ReadToEndAsync(HttpClient http, string path, string? lastEventId = null)
    {
        await using var sse = await SseClient.ConnectAsync(http, path, lastEventId);
        return await ReadToEndAsync(sse);
    }

    /// <summary>The events before the end marker.</summary>
    private static async Task<List<SseEvent>> ReadToEndAsync(SseClient sse)
    {
        var events = new List<SseEvent>();
        while (await sse.NextEventAsync(Wait) is var e && !e.Json.TryGetProperty("end", out _))
        {
            events.Add(e);
        }

        return events;
    }
}
