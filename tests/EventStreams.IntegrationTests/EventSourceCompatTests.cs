using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using EventStreams.IntegrationTests.Upstream;
using Microsoft.Extensions.DependencyInjection;

namespace EventStreams.IntegrationTests;

/// <summary>A real EventSource implementation nobody here wrote (npm's <c>eventsource</c>) against our server.</summary>
public class EventSourceCompatTests : IAsyncLifetime
{
    private const int Partitions = 2;
    private const int PerPhase = 10;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    // The client waits its default reconnection delay (3 s, as we never send retry:) before reconnecting.
    private static readonly TimeSpan ReconnectWait = TimeSpan.FromSeconds(30);
    private static readonly string[] Topics = ["eqiad.compat.eventsource", "codfw.compat.eventsource"];

    private const string Config = """
        streams:
          compat.eventsource:
            topic_prefixes: [eqiad., codfw.]
            description: npm eventsource compatibility
        """;

    private readonly StreamConnectionTracker _tracker = new();
    private TestServer _server = null!;
    private UpstreamModeServer? _front;

    /// <summary>Whether the client talks to an upstream-mode front in front of the server instead of the server itself.</summary>
    protected virtual bool ThroughFront => false;

    private Uri ClientBase => _front?.BaseAddress ?? _server.BaseAddress;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync(
            Config, builder => builder.Services.AddSingleton<IStartupFilter>(_tracker), Partitions, "--Streaming:IdFormat=Offset");
        if (ThroughFront)
        {
            _front = await UpstreamModeServer.StartAsync(_server.BaseAddress);
        }
    }

    public async Task DisposeAsync()
    {
        if (_front is not null)
        {
            await _front.DisposeAsync();
        }

        await _server.DisposeAsync();
    }

    [Fact]
    public async Task NpmEventSource_ConnectionCutMidStream_ReconnectsWithLastEventIdAndGetsEveryEventOnce()
    {
        await using var client = await NodeEventSourceClient.StartAsync(new Uri(ClientBase, "v2/stream/compat.eventsource"), 3 * PerPhase);
        Assert.True((await client.NextAsync(Wait)).Open);
        var firstRequest = await _tracker.Requests.ReadAsync().AsTask().WaitAsync(Wait);

        await ProduceAsync(0, PerPhase);
        var received = await ReadMessagesAsync(client, PerPhase);
        var lastIdBeforeCut = received[^1].Id;

        Assert.Equal(1, _tracker.AbortAll());
        await ProduceAsync(PerPhase, PerPhase);   // while the client is disconnected
        var reopened = await client.NextAsync(ReconnectWait);
        var secondRequest = await _tracker.Requests.ReadAsync().AsTask().WaitAsync(Wait);
        received.AddRange(await ReadMessagesAsync(client, PerPhase));

        await ProduceAsync(2 * PerPhase, PerPhase);   // on the new connection
        received.AddRange(await ReadMessagesAsync(client, PerPhase));
        var exitCode = await client.WaitForExitAsync(Wait);

        Assert.Null(firstRequest.LastEventId);
        if (!ThroughFront)
        {
            // It asks for gzip (undici's fetch), so it read this stream compressed (each event compressed once for every
            // client). A front does not pass Accept-Encoding on, so the server saw none there.
            Assert.Contains("gzip", firstRequest.AcceptEncoding, StringComparison.Ordinal);
            Assert.Contains("gzip", secondRequest.AcceptEncoding, StringComparison.Ordinal);
        }

        Assert.True(reopened.Open, "the client should have reported a new connection before any further message");
        Assert.Equal(lastIdBeforeCut, secondRequest.LastEventId);
        Assert.False(_tracker.Requests.TryRead(out var extra), $"unexpected extra stream request {extra}");
        Assert.Equal(0, exitCode);

        // Every event exactly once, and in order within each partition.
        var events = received.Select(m => m.Json).ToList();
        Assert.Equal(Enumerable.Range(0, 3 * PerPhase), events.Select(e => e.GetProperty("n").GetInt32()).Order());
        foreach (var partition in events.GroupBy(e => (Topic: Meta(e, "topic").GetString(), Partition: Meta(e, "partition").GetInt32())))
        {
            Assert.Equal(Enumerable.Range(0, partition.Count()).Select(i => (long)i), partition.Select(e => Meta(e, "offset").GetInt64()));
            var numbers = partition.Select(e => e.GetProperty("n").GetInt32()).ToList();
            Assert.Equal(numbers.Order(), numbers);
        }

        // Each id names every partition with the next offset to read: the last one is the count produced into each.
        Assert.All(received, m => Assert.Equal(Topics.Length * Partitions, JsonDocument.Parse(m.Id!).RootElement.GetArrayLength()));
        var finalPositions = JsonDocument.Parse(received[^1].Id!).RootElement.EnumerateArray()
            .ToDictionary(p => (p.GetProperty("topic").GetString(), p.GetProperty("partition").GetInt32()), p => p.GetProperty("offset").GetInt64());
        Assert.All(finalPositions, p => Assert.Equal(events.Count(e => Meta(e, "topic").GetString() == p.Key.Item1 && Meta(e, "partition").GetInt32() == p.Key.Item2), p.Value));
    }

    [Fact]
    public async Task NpmEventSource_NewEvents_ArriveInOrderWithIds()
    {
        await using var client = await NodeEventSourceClient.StartAsync(new Uri(ClientBase, "v2/stream/compat.eventsource"), PerPhase);
        Assert.True((await client.NextAsync(Wait)).Open);

        await ProduceAsync(0, PerPhase, onePartition: true);
        var received = await ReadMessagesAsync(client, PerPhase);

        Assert.Equal(Enumerable.Range(0, PerPhase), received.Select(m => m.Json.GetProperty("n").GetInt32()));
        Assert.All(received, m => Assert.Equal("eqiad.compat.eventsource", Meta(m.Json, "topic").GetString()));
        Assert.Equal(
            Enumerable.Range(1, PerPhase).Select(i => (long)i),
            received.Select(m => JsonDocument.Parse(m.Id!).RootElement.EnumerateArray()
                .Single(p => p.GetProperty("topic").GetString() == "eqiad.compat.eventsource" && p.GetProperty("partition").GetInt32() == 0)
                .GetProperty("offset").GetInt64()));
        Assert.Equal(0, await client.WaitForExitAsync(Wait));
    }

    private static JsonElement Meta(JsonElement e, string name) => e.GetProperty("meta").GetProperty(name);

    /// <summary>Produces events numbered <paramref name="first"/>.. spread over every topic and partition, and waits until the broker has them.</summary>
    private async Task ProduceAsync(int first, int count, bool onePartition = false)
    {
        for (var n = first; n < first + count; n++)
        {
            var slot = onePartition ? 0 : n % (Topics.Length * Partitions);
            await _server.ProduceAsync(Topics[slot % Topics.Length], slot / Topics.Length, $$"""{"meta":{"domain":"compat.test"},"n":{{n}}}""");
        }
    }

    private static async Task<List<CompatLine>> ReadMessagesAsync(NodeEventSourceClient client, int count)
    {
        var messages = new List<CompatLine>(count);
        for (var i = 0; i < count; i++)
        {
            messages.Add(await client.NextMessageAsync(Wait));
        }

        return messages;
    }
}

/// <summary>
/// The same tests through an upstream-mode front (ours in front of ours), as a client of the front sees it: the
/// connection the test cuts is the front's to the server, which the front passes on by cutting the client's.
/// </summary>
public sealed class EventSourceCompatTestsThroughFront : EventSourceCompatTests
{
    protected override bool ThroughFront => true;
}
