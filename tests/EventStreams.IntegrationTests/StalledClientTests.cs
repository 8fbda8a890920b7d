using System.Net.Sockets;
using System.Text;

namespace EventStreams.IntegrationTests;

/// <summary>A client that stops reading is cut off after Streaming:StalledClientSeconds and costs the others nothing.</summary>
public sealed class StalledClientTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync("""
        streams:
          stall.big:
            topics: [stall.big]
        """, partitions: 4, "--Streaming:CacheMegabytesPerPartition=64", "--Streaming:StalledClientSeconds=2");

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task StalledClient_IsDisconnected_WhileOthersReceiveEverything()
    {
        using var stalled = new TcpClient { ReceiveBufferSize = 4096 };
        await stalled.ConnectAsync("127.0.0.1", _server.BaseAddress.Port).WaitAsync(Wait);
        var stream = stalled.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /v2/stream/stall.big HTTP/1.1\r\nHost: test\r\n\r\n")).AsTask().WaitAsync(Wait);
        var head = new byte[64];
        Assert.True(await stream.ReadAsync(head).AsTask().WaitAsync(Wait) > 0);

        await AssertCutOffWhileOthersReceiveEverythingAsync(stream);
    }

    /// <summary>The same over the hub's WebSocket (served by the server itself): a socket that takes nothing is cut off too.</summary>
    [Fact]
    public async Task StalledHubClient_IsDisconnected_WhileOthersReceiveEverything()
    {
        using var stalled = new TcpClient { ReceiveBufferSize = 4096 };
        var stream = await RawHubUpgrade.OpenAsync(stalled, _server.BaseAddress);
        await stream.WriteAsync(RawHubUpgrade.MaskedTextFrame("{\"protocol\":\"json\",\"version\":1}\u001e")).AsTask().WaitAsync(Wait);
        await stream.WriteAsync(RawHubUpgrade.MaskedTextFrame("{\"type\":4,\"invocationId\":\"1\",\"target\":\"Stream\",\"arguments\":[\"stall.big\",null,null,null]}\u001e")).AsTask().WaitAsync(Wait);

        await AssertCutOffWhileOthersReceiveEverythingAsync(stream);
    }

    /// <summary>
    /// With the stalled client's stream running, a healthy SSE client gets all of 18 MB of events while the stalled one is
    /// dropped (the metric); what the stalled socket still reads is at most what the kernel had buffered, then EOF or reset.
    /// </summary>
    private async Task AssertCutOffWhileOthersReceiveEverythingAsync(NetworkStream stalled)
    {
        using var http = _server.CreateClient();
        await using var healthy = await SseClient.ConnectAsync(http, "v2/stream/stall.big");
        await healthy.ReadAsync(Wait);
        // Both streams are counted once they have started (a hub stream's start marker is written right after).
        await WaitForMetricAsync(http, "eventstreams_connected_clients{stream=\"stall.big\"} 2");
        var producing = ProduceAsync(count: 1800, size: 10 * 1024);
        for (var n = 0; n < 1800; n++)
        {
            await healthy.NextEventAsync(Wait);
        }

        await producing.WaitAsync(Wait);
        await WaitForMetricAsync(http, "eventstreams_clients_dropped_total{reason=\"stalled\"} 1");
        var drained = await DrainAsync(stalled);
        Assert.True(drained < 18 * 1024 * 1024, $"the stalled client still received {drained} bytes");
    }

    private static async Task<long> DrainAsync(NetworkStream stream)
    {
        var buffer = new byte[1 << 16];
        var drained = 0L;
        try
        {
            int read;
            while ((read = await stream.ReadAsync(buffer).AsTask().WaitAsync(Wait)) > 0)
            {
                drained += read;
            }
        }
        catch (IOException)
        {
            // Reset: ended too.
        }

        return drained;
    }

    private static async Task WaitForMetricAsync(HttpClient http, string line)
    {
        using var timeout = new CancellationTokenSource(Wait);
        while (!(await http.GetStringAsync("metrics", timeout.Token)).Contains(line, StringComparison.Ordinal))
        {
            await Task.Delay(100, timeout.Token);
        }
    }

    private Task ProduceAsync(int count, int size)
    {
        // 18 MB in all (under the mock broker's 5 MiB per partition): far more than the kernel's socket buffers and Kestrel's output pipe can absorb.
        var padding = new string('x', size);
        return Task.WhenAll(Enumerable.Range(0, count).Select(i =>
            _server.ProduceAsync("stall.big", i % 4, $$"""{"i":{{i}},"pad":"{{padding}}"}""")));
    }
}
