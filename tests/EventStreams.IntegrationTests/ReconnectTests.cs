using System.Collections.Concurrent;
using Xunit.Abstractions;

namespace EventStreams.IntegrationTests;

/// <summary>
/// No loss across reconnects: continuous production into a 3-partition topic and a 2-topic stream,
/// a client that drops its connection at random moments and resumes with the last id it received.
/// </summary>
public sealed class ReconnectTests(ITestOutputHelper output)
{
    private const string Config = """
        streams:
          rc.single:
            topics: [rc.single]
          rc.double:
            topic_prefixes: [eqiad., codfw.]
        """;

    private static readonly string[] Topics = ["rc.single", "eqiad.rc.double", "codfw.rc.double"];

    [Theory]
    [InlineData("Offset")]
    [InlineData("Timestamp")]
    public async Task RandomReconnects_WithLastEventId_LoseNothingRepeatNothing(string idFormat)
    {
        await using var server = await TestServer.StartAsync(Config, partitions: 3, $"--Streaming:IdFormat={idFormat}");
        using var http = server.CreateClient();
        var random = new Random(idFormat.Length);
        var received = new ConcurrentDictionary<int, int>();
        var produced = 0;
        string? lastId = null;
        var reconnects = 0;

        var sse = await SseClient.ConnectAsync(http, "v2/stream/rc.single,rc.double");
        Assert.Equal("ok", (await sse.ReadAsync(TimeSpan.FromSeconds(15)))!.Comment);
        using var stopProducing = new CancellationTokenSource();
        var producer = Task.Run(async () =>
        {
            var partitions = new Random(produced);
            while (!stopProducing.IsCancellationRequested)
            {
                var seq = Interlocked.Increment(ref produced);
                await server.ProduceAsync(Topics[seq % 3], partitions.Next(3), $"{{\"seq\":{seq},\"meta\":{{\"stream\":\"rc\"}}}}");
                if (seq % 20 == 0)
                {
                    await Task.Yield();
                }
            }
        });

        try
        {
            while (reconnects < 25)
            {
                // Read a random number of events, then vanish without a goodbye.
                for (var n = random.Next(1, 120); n > 0; n--)
                {
                    var e = await sse.NextEventAsync(TimeSpan.FromSeconds(20));
                    received.AddOrUpdate(e.Json.GetProperty("seq").GetInt32(), 1, (_, c) => c + 1);
                    lastId = e.Id;
                }

                await sse.DisposeAsync();
                reconnects++;
                sse = await SseClient.ConnectAsync(http, "v2/stream/rc.single,rc.double", lastId);
            }

            await stopProducing.CancelAsync();
            await producer.WaitAsync(TimeSpan.FromSeconds(30));
            while (received.Count < produced)
            {
                var e = await sse.NextEventAsync(TimeSpan.FromSeconds(20));
                received.AddOrUpdate(e.Json.GetProperty("seq").GetInt32(), 1, (_, c) => c + 1);
            }
        }
        finally
        {
            await stopProducing.CancelAsync();
            await sse.DisposeAsync();
        }

        var lost = Enumerable.Range(1, produced).Count(seq => !received.ContainsKey(seq));
        var duplicates = received.Values.Sum(c => c - 1);
        output.WriteLine($"id format {idFormat}: produced {produced}, reconnects {reconnects}, lost {lost}, duplicated {duplicates}");
        Assert.Equal(0, lost);
        Assert.True(reconnects >= 20);
        Assert.Equal(0, duplicates);
    }
}
