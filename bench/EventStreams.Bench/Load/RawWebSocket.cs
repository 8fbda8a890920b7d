using System.Net.Sockets;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;

namespace EventStreams.Bench.Load;

/// <summary>
/// The client end of a WebSocket (RFC 6455) on a raw socket, as little as the hub client needs: the upgrade, masked
/// text frames out, and in, the payload of the server's data frames with the frame headers taken out, pongs for pings,
/// and the close. Unlike <see cref="System.Net.WebSockets.ClientWebSocket"/>, which reads a frame's header and its
/// payload with separate reads, one receive takes whatever the socket holds (as <see cref="SseConnection"/> does).
/// </summary>
internal sealed class RawWebSocket : IDisposable
{
    private const string AcceptGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
    private const byte Fin = 0x80;
    private const byte TextFrame = 0x1;
    private const byte CloseFrame = 0x8;
    private const byte PingFrame = 0x9;
    private const byte PongFrame = 0xA;

    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
    private readonly SemaphoreSlim _sending = new(1);
    private readonly byte[] _header = new byte[14];
    private readonly byte[] _control = new byte[125];
    private int _headerLength;
    private long _payloadLeft;
    private byte _opcode;
    private int _controlLength;
    private bool _pongDue;
    private byte[] _early = [];

    /// <summary>The server sent a close frame (or closed the connection).</summary>
    public bool Closed { get; private set; }

    /// <summary>Connects (see <see cref="SseConnection.ConnectAsync"/>) and upgrades <c>GET <paramref name="path"/></c>; throws unless the server answers 101 with the right accept key.</summary>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("Security", "CA5350", Justification = "RFC 6455 defines Sec-WebSocket-Accept with SHA-1.")]
    public async Task ConnectAsync(int port, string path, CancellationToken cancellationToken)
    {
        await SseConnection.ConnectAsync(_socket, port, cancellationToken);
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        var request = $"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n";
        await _socket.SendAsync(Encoding.ASCII.GetBytes(request), cancellationToken);
        var response = new byte[4096];
        var length = 0;
        int end;
        while ((end = response.AsSpan(0, length).IndexOf("\r\n\r\n"u8)) < 0)
        {
            var received = length < response.Length ? await _socket.ReceiveAsync(response.AsMemory(length), SocketFlags.None, cancellationToken) : 0;
            if (received == 0)
            {
                throw new IOException($"the upgrade's answer ended after {length} bytes");
            }

            length += received;
        }

        var head = Encoding.ASCII.GetString(response, 0, end);
        var accept = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + AcceptGuid)));
        if (!head.StartsWith("HTTP/1.1 101", StringComparison.Ordinal) || !head.Contains("Sec-WebSocket-Accept: " + accept, StringComparison.OrdinalIgnoreCase))
        {
            throw new IOException("the upgrade was refused: " + head.Split('\r')[0]);
        }

        _early = response[(end + 4)..length];
    }

    /// <summary>
    /// Receives into <paramref name="buffer"/> and leaves there, from its start, the data frames' payload that arrived
    /// (frame headers and control frames taken out); 0 when the server has closed. Called once per event or so: its
    /// state machine is pooled rather than allocated per call.
    /// </summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<int> ReceiveAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        while (!Closed)
        {
            int received;
            if (_early.Length > 0)
            {
                received = Math.Min(_early.Length, buffer.Length);
                _early.AsSpan(0, received).CopyTo(buffer.Span);
                _early = _early[received..];
            }
            else
            {
                received = await _socket.ReceiveAsync(buffer, SocketFlags.None, cancellationToken);
                Closed = received == 0;
            }

            var payload = Unframe(buffer.Span[..received]);
            if (_pongDue)
            {
                _pongDue = false;
                await SendAsync(PongFrame, _control.AsMemory(0, _controlLength), cancellationToken);
            }

            if (payload > 0)
            {
                return payload;
            }
        }

        return 0;
    }

    /// <summary>Sends one text message (masked, as a client must).</summary>
    public Task SendTextAsync(ReadOnlyMemory<byte> message, CancellationToken cancellationToken) => SendAsync(TextFrame, message, cancellationToken);

    public void Dispose()
    {
        _socket.Dispose();
        _sending.Dispose();
    }

    private async Task SendAsync(byte opcode, ReadOnlyMemory<byte> payload, CancellationToken cancellationToken)
    {
        var extended = payload.Length < 126 ? 0 : payload.Length <= ushort.MaxValue ? 2 : 8;
        var frame = new byte[2 + extended + 4 + payload.Length];
        frame[0] = (byte)(Fin | opcode);
        frame[1] = (byte)(0x80 | (extended == 0 ? payload.Length : extended == 2 ? 126 : 127));
        for (var i = 0; i < extended; i++)
        {
            frame[2 + i] = (byte)((long)payload.Length >> (8 * (extended - 1 - i)));
        }

        var mask = frame.AsSpan(2 + extended, 4);
        Random.Shared.NextBytes(mask);
        var masked = frame.AsSpan(6 + extended);
        payload.Span.CopyTo(masked);
        for (var i = 0; i < masked.Length; i++)
        {
            masked[i] ^= mask[i % 4];
        }

        await _sending.WaitAsync(cancellationToken);
        try
        {
            await _socket.SendAsync(frame, cancellationToken);
        }
        finally
        {
            _sending.Release();
        }
    }

    /// <summary>Moves the data frames' payload in <paramref name="data"/> to its start and returns its length.</summary>
    private int Unframe(Span<byte> data)
    {
        var read = 0;
        var written = 0;
        while (read < data.Length && !Closed)
        {
            if (_headerLength == 0 && _payloadLeft > 0)
            {
                var take = (int)Math.Min(_payloadLeft, data.Length - read);
                if (_opcode < CloseFrame)
                {
                    data.Slice(read, take).CopyTo(data[written..]);
                    written += take;
                }
                else
                {
                    data.Slice(read, take).CopyTo(_control.AsSpan(_controlLength));
                    _controlLength += take;
                }

                read += take;
                _payloadLeft -= take;
                if (_payloadLeft == 0)
                {
                    EndOfFrame();
                }

                continue;
            }

            _header[_headerLength++] = data[read++];
            if (HeaderComplete())
            {
                _headerLength = 0;
                if (_payloadLeft == 0)
                {
                    EndOfFrame();
                }
            }
        }

        return written;
    }

    /// <summary>Once the header is complete: the frame's opcode and payload length (a server's frames are never masked).</summary>
    private bool HeaderComplete()
    {
        if (_headerLength < 2)
        {
            return false;
        }

        if ((_header[1] & 0x80) != 0)
        {
            throw new IOException("the server masked a frame");
        }

        var length = _header[1] & 0x7F;
        var extended = length == 126 ? 2 : length == 127 ? 8 : 0;
        if (_headerLength < 2 + extended)
        {
            return false;
        }

        _opcode = (byte)(_header[0] & 0x0F);
        _payloadLeft = extended == 0 ? length : 0;
        for (var i = 0; i < extended; i++)
        {
            _payloadLeft = (_payloadLeft << 8) | _header[2 + i];
        }

        _controlLength = 0;
        if (_opcode >= CloseFrame && _payloadLeft > _control.Length)
        {
            throw new IOException("a control frame longer than 125 bytes");
        }

        return true;
    }

    private void EndOfFrame()
    {
        if (_opcode == CloseFrame)
        {
            Closed = true;
        }
        else if (_opcode == PingFrame)
        {
            _pongDue = true;
        }
    }
}
