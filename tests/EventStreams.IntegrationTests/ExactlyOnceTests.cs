using Xunit.Abstractions;

namespace EventStreams.IntegrationTests;

/// <summary>
/// Timestamp ids (the default) resume with nothing lost and nothing repeated, even when many events share one
/// millisecond: bursts over 3 partitions, read partly through the shared cache and partly through catch-up.
/// </summary>
public sealed class ExactlyOnceTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Partitions = 3;
    private const int PerPartition = 90;
    private const int Burst = 20;
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);
    private static readonly DateTimeOffset T0 = DateTimeOffset.UtcNow.AddMinutes(-10);
    private TestServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync("""
            streams:
              once.burst:
                topics: [once.burst]
            """, Partitions);
        // Every Burst consecutive events of a partition share one millisecond.
        await Task.WhenAll(Enumerable.Range(0, Partitions * PerPartition).Select(i =>
            _server.ProduceAsync("once.burst", i % Partitions, $$"""{"seq":{{i}}}""", timestamp: T0.AddMilliseconds(i / Partitions / Burst))));
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task TimestampIds_ReconnectAfterEachEvent_NothingLostNothingRepeated()
    {
        using var http = _server.CreateClient();
        var received = new List<int>();
        string? id = null;

        // Reconnect after each of the first 150 events (ids deep inside same-millisecond bursts on every partition),
        // then read the rest on one connection.
        for (var n = 0; n < 150; n++)
        {
            await using var sse = await SseClient.ConnectAsync(http, id is null ? "v2/stream/once.burst?since=0" : "v2/stream/once.burst", id);
            var e = await sse.NextEventAsync(Wait);
            received.Add(e.Json.GetProperty("seq").GetInt32());
            id = e.Id;
        }

        await using (var rest = await SseClient.ConnectAsync(http, "v2/stream/once.burst", id))
        {
            while (received.Count < Partitions * PerPartition)
            {
                received.Add((await rest.NextEventAsync(Wait)).Json.GetProperty("seq").GetInt32());
            }

            // Anything more would be a repeat: the partitions are drained, so a short wait shows it.
            Assert.Null(await TryNextEventAsync(rest, TimeSpan.FromSeconds(1)));
        }

        var lost = Enumerable.Range(0, Partitions * PerPartition).Except(received).Count();
        var repeated = received.Count - received.Distinct().Count();
        output.WriteLine($"{received.Count} received over 151 connections: lost {lost}, repeated {repeated}; last id {id}");
        Assert.Equal(0, lost);
        Assert.Equal(0, repeated);
        Assert.Contains("\"skip\":", id, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReferenceStyleTimestampId_WithoutSkip_LosesNothing()
    {
        using var http = _server.CreateClient();
        // Mid-burst on every partition: the reference service's kind of id names only the millisecond.
        var ms = T0.AddMilliseconds(2).ToUnixTimeMilliseconds();
        var id = "[" + string.Join(',', Enumerable.Range(0, Partitions).Select(p => $$"""{"topic":"once.burst","partition":{{p}},"timestamp":{{ms}}}""")) + "]";
        var expected = Enumerable.Range(0, Partitions * PerPartition).Where(i => i / Partitions / Burst >= 2).ToHashSet();

        var received = new HashSet<int>();
        await using var sse = await SseClient.ConnectAsync(http, "v2/stream/once.burst", id);
        while (received.Count < expected.Count)
        {
            Assert.True(received.Add((await sse.NextEventAsync(Wait)).Json.GetProperty("seq").GetInt32()));
        }

        Assert.Equal(expected, received);
    }

    private static async Task<SseEvent?> TryNextEventAsync(SseClient sse, TimeSpan wait)
    {
        try
        {
            return await sse.NextEventAsync(wait);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }
}
