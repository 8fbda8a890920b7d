using System.Diagnostics;
using System.Text.Json;
using EventStreams.Server.Transports;
using Microsoft.AspNetCore.SignalR.Client;

namespace EventStreams.IntegrationTests;

/// <summary>
/// Partitions added to a stream's topics while clients are connected. librdkafka's mock cluster cannot add partitions
/// to an existing topic (no CreatePartitions handler, no mock function for it), so this is the closest honest test: the
/// stream reads <c>eqiad.X</c> and <c>codfw.X</c>, and <c>codfw.X</c> is created, with two partitions, after the clients
/// connected. To the server that is a topic whose partition count grows (0 → 2): the same metadata, the same join of
/// the missing partitions from their first event, the same id extension as a topic growing from 1 to 3 partitions.
/// </summary>
public sealed class AddedPartitionsTests
{
    private const string Stream = "grow.s";
    private const string Eqiad = "eqiad.grow.s";
    private const string Codfw = "codfw.grow.s";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    [Theory]
    [InlineData("Timestamp")]
    [InlineData("Offset")]
    public async Task TopicCreatedUnderConnectedClients_ItsPartitionsArriveFromTheirFirstEvent_InTheIds_AndResumesAreExact(string idFormat)
    {
        await using var server = await TestServer.StartAsync($$"""
            streams:
              {{Stream}}:
                topics: [{{Eqiad}}, {{Codfw}}]
            """, partitions: 1, "--Kafka:EmbeddedCreateTopics=false", $"--Streaming:IdFormat={idFormat}");
        server.Cluster.CreateTopic(Eqiad);
        using var http = server.CreateClient();
        await using var sse = await SseClient.ConnectAsync(http, $"v2/stream/{Stream}");
        await using var ndjson = await SseClient.ConnectAsync(http, $"v2/stream/{Stream}", accept: "application/json");
        await using var hub = new HubConnectionBuilder().WithUrl(new Uri(server.BaseAddress, "v2/hub")).Build();
        await hub.StartAsync().WaitAsync(Wait);
        using var hubCancel = new CancellationTokenSource(Wait * 3);
        await using var hubEvents = hub.StreamAsync<StreamEvent>("Stream", Stream, null, null, null, hubCancel.Token).GetAsyncEnumerator();
        Assert.True(await hubEvents.MoveNextAsync().AsTask().WaitAsync(Wait)); // the start marker: subscribed
        Assert.Equal("ok", (await sse.ReadAsync(Wait))!.Comment);

        await server.ProduceAsync(Eqiad, 0, """{"k":"e1"}""");
        var first = await sse.NextEventAsync(Wait);
        var idBeforeTheTopic = first.Id!;

        server.Cluster.CreateTopic(Codfw, partitions: 2);
        var created = Stopwatch.StartNew();
        string[] added = ["c0-0", "c0-1", "c0-2", "c1-0", "c1-1", "e2"];
        foreach (var k in added)
        {
            await ProduceAsync(server, k);
        }

        var live = await TakeAsync(() => NextSseAsync(sse), added.Length);
        var joinedAfter = created.Elapsed;
        var lines = await TakeAsync(() => NextLineAsync(ndjson), added.Length + 1);
        var fromHub = await TakeAsync(() => NextHubAsync(hubEvents), added.Length + 1);

        AssertSameEvents(added, live);
        AssertSameEvents(["e1", .. added], lines);
        AssertSameEvents(["e1", .. added], fromHub);
        var lastId = live[^1].Id!;
        Assert.DoesNotContain(Codfw, idBeforeTheTopic, StringComparison.Ordinal);
        Assert.Contains($$"""{"topic":"{{Codfw}}","partition":0,""", lastId, StringComparison.Ordinal);
        Assert.Contains($$"""{"topic":"{{Codfw}}","partition":1,""", lastId, StringComparison.Ordinal);
        Assert.Contains($$"""{"topic":"{{Codfw}}","partition":1,""", fromHub[^1].Id, StringComparison.Ordinal);
        Console.WriteLine($"AddedPartitionsTests ({idFormat}): the created topic's first event arrived {joinedAfter.TotalMilliseconds:0} ms after the topic was created");

        // Resume with the last id: exactly what came after it. With an id written before the topic existed: every event
        // of the new partitions from their first, and nothing the id already had.
        string[] later = ["c0-3", "c1-2", "e3"];
        foreach (var k in later)
        {
            await ProduceAsync(server, k);
        }

        AssertSameEvents(later, await ResumeToEndAsync(server, http, lastId));
        AssertSameEvents(["c0-0", "c0-1", "c0-2", "c1-0", "c1-1", "e2", "c0-3", "c1-2", "e3"], await ResumeToEndAsync(server, http, idBeforeTheTopic));
    }

    /// <summary>Produces key <paramref name="k"/>: "cP-n" to codfw partition P, "eN" to eqiad.</summary>
    private static Task ProduceAsync(TestServer server, string k) =>
        k[0] == 'c' ? server.ProduceAsync(Codfw, k[1] - '0', $$"""{"k":"{{k}}"}""") : server.ProduceAsync(Eqiad, 0, $$"""{"k":"{{k}}"}""");

    /// <summary>Every expected key once, and each partition's keys in the order produced.</summary>
    private static void AssertSameEvents(string[] expected, List<(string Key, string? Id)> received)
    {
        var keys = received.Select(r => r.Key).ToList();
        Assert.Equal(expected.Order(), keys.Order());
        foreach (var partition in new[] { "c0", "c1", "e" })
        {
            Assert.Equal(expected.Where(k => k.StartsWith(partition, StringComparison.Ordinal)), keys.Where(k => k.StartsWith(partition, StringComparison.Ordinal)));
        }
    }

    /// <summary>Resumes from <paramref name="id"/> and reads until an end marker of every partition arrived: whatever came before them.</summary>
    private static async Task<List<(string Key, string? Id)>> ResumeToEndAsync(TestServer server, HttpClient http, string id)
    {
        await using var sse = await SseClient.ConnectAsync(http, $"v2/stream/{Stream}", id);
        Assert.Equal("ok", (await sse.ReadAsync(Wait))!.Comment);
        var ends = new[] { "c0-end", "c1-end", "e-end" };
        foreach (var k in ends)
        {
            await ProduceAsync(server, k);
        }

        var events = new List<(string Key, string? Id)>();
        for (var seen = 0; seen < ends.Length;)
        {
            var e = await NextSseAsync(sse);
            if (e.Key.EndsWith("-end", StringComparison.Ordinal))
            {
                seen++;
            }
            else
            {
                events.Add(e);
            }
        }

        return events;
    }

    private static async Task<List<(string Key, string? Id)>> TakeAsync(Func<Task<(string Key, string? Id)>> next, int count)
    {
        var taken = new List<(string, string?)>();
        while (taken.Count < count)
        {
            taken.Add(await next());
        }

        return taken;
    }

    private static async Task<(string Key, string? Id)> NextSseAsync(SseClient sse)
    {
        var e = await sse.NextEventAsync(Wait);
        return (e.Json.GetProperty("k").GetString()!, e.Id);
    }

    private static async Task<(string Key, string? Id)> NextLineAsync(SseClient ndjson)
    {
        while (true)
        {
            var line = await ndjson.ReadLineAsync(Wait) ?? throw new EndOfStreamException("The NDJSON stream ended.");
            if (line.Length > 0)
            {
                return (JsonDocument.Parse(line).RootElement.GetProperty("k").GetString()!, null);
            }
        }
    }

    private static async Task<(string Key, string? Id)> NextHubAsync(IAsyncEnumerator<StreamEvent> events)
    {
        while (await events.MoveNextAsync().AsTask().WaitAsync(Wait))
        {
            if (events.Current.Data is { } data)
            {
                return (JsonDocument.Parse(data).RootElement.GetProperty("k").GetString()!, events.Current.Id);
            }
        }

        throw new EndOfStreamException("The hub stream ended.");
    }
}
