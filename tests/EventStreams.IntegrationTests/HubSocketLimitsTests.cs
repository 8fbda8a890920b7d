using System.Buffers.Binary;
using System.Net.Sockets;
using System.Text;

namespace EventStreams.IntegrationTests;

/// <summary>The hub's own WebSockets read a client's frame whole, so a frame's size is bounded before anything of it is buffered.</summary>
public sealed class HubSocketLimitsTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync("""
        streams:
          limits.s:
            topics: [limits.s]
        """, partitions: 1);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    /// <summary>A header announcing a 1 TiB frame is refused at once with 1009 (message too big), without waiting for its bytes.</summary>
    [Fact]
    public async Task FrameOverTheLimit_ClosedWith1009AtOnce_WithoutItsPayload()
    {
        using var client = new TcpClient();
        var stream = await RawHubUpgrade.OpenAsync(client, _server.BaseAddress);
        byte[] header = [0x82, 0x80 | 127, 0, 0, 0, 0, 0, 0, 0, 0, 0x12, 0x34, 0x56, 0x78];
        BinaryPrimitives.WriteInt64BigEndian(header.AsSpan(2, 8), 1L << 40);
        await stream.WriteAsync(header).AsTask().WaitAsync(Wait);

        // After the rest of the 101 answer: the close frame, 0x88, two bytes of payload, the status.
        var received = new List<byte>();
        var buffer = new byte[4096];
        int read;
        while ((read = await stream.ReadAsync(buffer).AsTask().WaitAsync(Wait)) > 0)
        {
            received.AddRange(buffer.AsSpan(0, read));
        }

        var bytes = received.ToArray();
        var body = Encoding.ASCII.GetString(bytes).IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4;
        Assert.True(body >= 4, "the 101 answer's headers end");
        Assert.Equal([0x88, 0x02], bytes[body..(body + 2)]);
        Assert.Equal(1009, BinaryPrimitives.ReadUInt16BigEndian(bytes.AsSpan(body + 2, 2)));
    }
}
