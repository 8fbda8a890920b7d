using System.Net;
using EventStreams.Server.Kafka;
using Microsoft.Extensions.DependencyInjection;

namespace EventStreams.IntegrationTests;

/// <summary>
/// Issue 17 item 2: in a rolling restart an instance that has just started receives every client of the stopped one at
/// once, each resuming from a timestamp id. The times resolve from the shared reader's cache (it starts
/// <see cref="SharedPartitionReader.MaxLookBack"/> messages back), not by broker round trips per client (a binary search
/// each on the embedded broker, blocking thread-pool threads inside librdkafka); each client gets exactly the events after
/// its id, and health checks and running streams are answered meanwhile.
/// </summary>
public sealed class TimestampResumeStormTests
{
    private const int Partitions = 3;
    private const int PerPartition = 60;
    private const int Clients = 90;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ManyClientsResumingByTimestamp_OnAFreshInstance_AnsweredByTheSharedCache_EachExactlyFromItsId()
    {
        await using var server = await TestServer.StartAsync(
            """
            streams:
              storm.t:
                topics: [storm.t]
              storm.live:
                topics: [storm.live]
            """,
            Partitions);
        var t0 = DateTimeOffset.UtcNow.AddMinutes(-30);
        await Task.WhenAll(Enumerable.Range(0, Partitions * PerPartition).Select(n =>
            server.ProduceAsync("storm.t", n % Partitions, $$"""{"i":{{n / Partitions}}}""", timestamp: t0.AddSeconds(n / Partitions))));
        var lookup = server.App.Services.GetRequiredService<TimeLookup>();
        using var http = server.CreateClient();
        await using var live = await SseClient.ConnectAsync(http, "v2/stream/storm.live");
        await live.ReadAsync(Wait);

        var resuming = Enumerable.Range(0, Clients).Select(k => ResumeAsync(http, t0, k % PerPartition)).ToList();
        await server.ProduceAsync("storm.live", 0, """{"live":1}""");
        var liveEvent = await live.NextEventAsync(Wait);
        using var ready = await http.GetAsync("readyz").WaitAsync(Wait);
        var received = await Task.WhenAll(resuming).WaitAsync(Wait);

        Assert.Equal(1, liveEvent.Json.GetProperty("live").GetInt32());
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        for (var k = 0; k < Clients; k++)
        {
            var from = k % PerPartition;
            for (var p = 0; p < Partitions; p++)
            {
                Assert.Equal(Enumerable.Range(from, PerPartition - from), received[k].Where(e => e.Partition == p).Select(e => e.I));
            }
        }

        // Every client's every partition from the cache: no broker lookup, no binary search.
        Assert.Equal((Clients * Partitions, 0, 0), lookup.Answers);
    }

    /// <summary>A client that has event <paramref name="from"/> − 1 of each partition resumes and reads up to the last.</summary>
    private static async Task<List<(int Partition, int I)>> ResumeAsync(HttpClient http, DateTimeOffset t0, int from)
    {
        var id = "[" + string.Join(',', Enumerable.Range(0, Partitions).Select(p =>
            $$"""{"topic":"storm.t","partition":{{p}},"timestamp":{{t0.AddSeconds(from).ToUnixTimeMilliseconds()}}}""")) + "]";
        await using var sse = await SseClient.ConnectAsync(http, "v2/stream/storm.t", id);
        var events = new List<(int, int)>();
        while (events.Count < Partitions * (PerPartition - from))
        {
            var json = (await sse.NextEventAsync(Wait)).Json;
            events.Add((json.GetProperty("meta").GetProperty("partition").GetInt32(), json.GetProperty("i").GetInt32()));
        }

        return events;
    }
}
