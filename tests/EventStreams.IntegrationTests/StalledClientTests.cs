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

        using var http = _server.CreateClient();
        await using var healthy = await SseClient.ConnectAsync(http, "v2/stream/stall.big");
        await healthy.ReadAsync(Wait);
        var producing = ProduceAsync(count: 1800, size: 10 * 1024);
        for (var n = 0; n < 1800; n++)
        {
            await healthy.NextEventAsync(Wait);
        }

        await producing.WaitAsync(Wait);
        await WaitForStalledDropAsync(http);

        // The server gave up on the stalled socket: what is left is at most what the kernel had buffered, then EOF or reset.
        var drained = await DrainAsync(stream);
        Assert.True(drained < 18 * 1024 * 1024, $"the stalled client still received {drained} bytes");
    }

    /// <summary>The same over the hub's WebSocket (served by the server itself): a socket that takes nothing is cut off too.</summary>
    [Fact]
    public async Task StalledHubClient_IsDisconnected_WhileOthersReceiveEverything()
    {
        using var stalled = new TcpClient { ReceiveBufferSize = 4096 };
        await stalled.ConnectAsync("127.0.0.1", _server.BaseAddress.Port).WaitAsync(Wait);
        var stream = stalled.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            "GET /v2/hub HTTP/1.1\r\nHost: test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")).AsTask().WaitAsync(Wait);
        var head = new byte[12];
        Assert.Equal(12, await stream.ReadAtLeastAsync(head, 12).AsTask().WaitAsync(Wait));
        Assert.Equal("HTTP/1.1 101", Encoding.ASCII.GetString(head));
        await stream.WriteAsync(MaskedTextFrame("{\"protocol\":\"json\",\"version\":1}\u001e")).AsTask().WaitAsync(Wait);
        await stream.WriteAsync(MaskedTextFrame("{\"type\":4,\"invocationId\":\"1\",\"target\":\"Stream\",\"arguments\":[\"stall.big\",null,null,null]}\u001e")).AsTask().WaitAsync(Wait);

        using var http = _server.CreateClient();
        await using var healthy = await SseClient.ConnectAsync(http, "v2/stream/stall.big");
        await healthy.ReadAsync(Wait);
        // Both streams are counted once they have started (the hub's start marker is written right after).
        await WaitForMetricAsync(http, "eventstreams_connected_clients{stream=\"stall.big\"} 2");
        var producing = ProduceAsync(count: 1800, size: 10 * 1024);
        for (var n = 0; n < 1800; n++)
        {
            await healthy.NextEventAsync(Wait);
        }

        await producing.WaitAsync(Wait);
        await WaitForStalledDropAsync(http);

        var drained = await DrainAsync(stream);
        Assert.True(drained < 18 * 1024 * 1024, $"the stalled hub client still received {drained} bytes");
    }

    /// <summary>Reads what the kernel had buffered for a client the server gave up on; it must end (EOF or reset).</summary>
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

    /// <summary>One final text frame as a client sends it (masked, RFC 6455 5.3).</summary>
    private static byte[] MaskedTextFrame(string text)
    {
        var payload = Encoding.UTF8.GetBytes(text);
        Assert.True(payload.Length < 126);
        byte[] mask = [0x12, 0x34, 0x56, 0x78];
        return [0x81, (byte)(0x80 | payload.Length), .. mask, .. payload.Select((b, i) => (byte)(b ^ mask[i % 4]))];
    }

    private static async Task WaitForMetricAsync(HttpClient http, string line)
    {
        using var timeout = new CancellationTokenSource(Wait);
        while (!(await http.GetStringAsync("metrics", timeout.Token)).Contains(line, StringComparison.Ordinal))
        {
            await Task.Delay(100, timeout.Token);
        }
    }

    private static async Task WaitForStalledDropAsync(HttpClient http)
    {
        using var timeout = new CancellationTokenSource(Wait);
        while (!(await http.GetStringAsync("metrics", timeout.Token)).Contains("eventstreams_clients_dropped_total{reason=\"stalled\"} 1", StringComparison.Ordinal))
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
