
namespace EventStreams.IntegrationTests;

/// <summary>Clients behind the shared cache catch up from Kafka; a client that stops reading is cut off and costs others nothing.</summary>
public sealed class SlowClientTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync("""
        streams:
          slow.big:
            topics: [slow.big]
        """, partitions: 2, "--Streaming:CacheMegabytesPerPartition=1", "--Streaming:StalledClientSeconds=2", "--Streaming:IdFormat=Offset");

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task ResumeFarBehindTheCache_CatchesUpFromKafka_ThenJoinsTheLiveTail()
    {
        using var http = _server.CreateClient();
        await using (var live = await SseClient.ConnectAsync(http, "v2/stream/slow.big"))
        {
            await live.ReadAsync(Wait);
            await ProduceAsync(count: 3000, size: 1024);
            for (var n = 0; n < 3000; n++)
            {
                await live.NextEventAsync(Wait);
            }
        }

        await using var resumed = await SseClient.ConnectAsync(http, "v2/stream/slow.big",
            """[{"topic":"slow.big","partition":0,"offset":0},{"topic":"slow.big","partition":1,"offset":0}]""");
        var offsets = new List<long>[] { [], [] };
        for (var n = 0; n < 3000; n++)
        {
            var meta = (await resumed.NextEventAsync(Wait)).Json.GetProperty("meta");
            offsets[meta.GetProperty("partition").GetInt32()].Add(meta.GetProperty("offset").GetInt64());
        }

        await _server.ProduceAsync("slow.big", 0, """{"fresh":true}""");
        var fresh = await resumed.NextEventAsync(Wait);

        Assert.Equal(Enumerable.Range(0, 1500).Select(i => (long)i), offsets[0]);
        Assert.Equal(Enumerable.Range(0, 1500).Select(i => (long)i), offsets[1]);
        Assert.True(fresh.Json.GetProperty("fresh").GetBoolean());
    }

    private Task ProduceAsync(int count, int size)
    {
        var padding = new string('x', size);
        return Task.WhenAll(Enumerable.Range(0, count).Select(i =>
            _server.ProduceAsync("slow.big", i % 2, $$"""{"i":{{i}},"pad":"{{padding}}"}""")));
    }
}
