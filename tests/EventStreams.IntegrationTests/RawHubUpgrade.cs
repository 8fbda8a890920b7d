using System.Net.Sockets;
using System.Text;

namespace EventStreams.IntegrationTests;

/// <summary>A WebSocket to <c>/v2/hub</c> on a bare TCP socket: for tests that must send or withhold what no WebSocket client library would.</summary>
internal static class RawHubUpgrade
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    /// <summary>Connects, sends the upgrade request and checks the <c>101</c> status line; the rest of the answer is left unread.</summary>
    public static async Task<NetworkStream> OpenAsync(TcpClient client, Uri server)
    {
        await client.ConnectAsync("127.0.0.1", server.Port).WaitAsync(Wait);
        var stream = client.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            "GET /v2/hub HTTP/1.1\r\nHost: test\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n")).AsTask().WaitAsync(Wait);
        var head = new byte[12];
        Assert.Equal(12, await stream.ReadAtLeastAsync(head, 12).AsTask().WaitAsync(Wait));
        Assert.Equal("HTTP/1.1 101", Encoding.ASCII.GetString(head));
        return stream;
    }

    /// <summary>One final text frame as a client sends it (masked, RFC 6455 5.3).</summary>
    public static byte[] MaskedTextFrame(string text)
    {
        var payload = Encoding.UTF8.GetBytes(text);
        Assert.True(payload.Length < 126);
        byte[] mask = [0x12, 0x34, 0x56, 0x78];
        return [0x81, (byte)(0x80 | payload.Length), .. mask, .. payload.Select((b, i) => (byte)(b ^ mask[i % 4]))];
    }
}
