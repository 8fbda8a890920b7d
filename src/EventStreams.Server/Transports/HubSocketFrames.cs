using System.Buffers;
using System.Buffers.Binary;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Unicode;

namespace EventStreams.Server.Transports;

/// <summary>
/// The server's side of RFC 6455 that <see cref="HubSocketConnection"/> needs: the opening handshake's accept key, reading
/// a client's (masked) frames, and the header of an unmasked server frame. No extensions (SignalR's clients ask for none;
/// a request for one is simply not granted), no subprotocol.
/// </summary>
internal static class HubSocketFrames
{
    public const byte Continuation = 0x0;
    public const byte Text = 0x1;
    public const byte Binary = 0x2;
    public const byte Close = 0x8;
    public const byte Ping = 0x9;
    public const byte Pong = 0xA;

    /// <summary>The largest header of a frame the server sends (2 bytes, then a 64-bit length; no mask).</summary>
    public const int MaxHeaderLength = 10;

    /// <summary>Control frames carry at most 125 bytes (RFC 6455 5.5).</summary>
    public const int MaxControlPayload = 125;

    private static ReadOnlySpan<byte> Guid => "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"u8;

    /// <summary><c>Sec-WebSocket-Accept</c> for a request's <c>Sec-WebSocket-Key</c>.</summary>
    public static string AcceptKey(string key)
    {
        Span<byte> input = stackalloc byte[64 + Guid.Length];
        var length = Encoding.ASCII.GetBytes(key.Trim(), input);
        Guid.CopyTo(input[length..]);
        Span<byte> hash = stackalloc byte[SHA1.HashSizeInBytes];
#pragma warning disable CA5350 // RFC 6455 fixes SHA-1 for the accept key; nothing secret depends on it.
        SHA1.HashData(input[..(length + Guid.Length)], hash);
#pragma warning restore CA5350
        return Convert.ToBase64String(hash);
    }

    /// <summary>A key is the base64 of 16 bytes (RFC 6455 4.2.1).</summary>
    public static bool IsValidKey(string key)
    {
        var trimmed = key.Trim();
        Span<byte> bytes = stackalloc byte[24];
        return trimmed.Length == 24 && Convert.TryFromBase64String(trimmed, bytes, out var written) && written == 16;
    }

    /// <summary>
    /// Reads one whole frame from <paramref name="input"/> (advanced past it); its payload still masked, within the same
    /// buffers (valid until the reader advances). <c>false</c> while the frame is incomplete. A frame this server must
    /// refuse (unmasked, reserved bits, a control frame too long or fragmented, longer than <paramref name="maxPayload"/>)
    /// throws <see cref="HubSocketProtocolException"/>.
    /// </summary>
    public static bool TryRead(ref ReadOnlySequence<byte> input, long maxPayload, out HubSocketFrame frame)
    {
        frame = default;
        var reader = new SequenceReader<byte>(input);
        if (!reader.TryRead(out var first) || !reader.TryRead(out var second))
        {
            return false;
        }

        var opcode = (byte)(first & 0x0F);
        if ((first & 0x70) != 0)
        {
            throw new HubSocketProtocolException("reserved bits set");
        }

        if ((second & 0x80) == 0)
        {
            throw new HubSocketProtocolException("client frame not masked");
        }

        long length = second & 0x7F;
        if (length == 126)
        {
            if (!reader.TryReadBigEndian(out short short16))
            {
                return false;
            }

            length = (ushort)short16;
        }
        else if (length == 127)
        {
            if (!reader.TryReadBigEndian(out long long64))
            {
                return false;
            }

            length = long64;
        }

        var final = (first & 0x80) != 0;
        if (opcode >= Close && (length > MaxControlPayload || !final))
        {
            throw new HubSocketProtocolException("bad control frame");
        }

        if (length < 0 || length > maxPayload)
        {
            throw new HubSocketProtocolException("frame too large", WebSocketCloseStatus.MessageTooBig);
        }

        if (!reader.TryReadLittleEndian(out int mask) || reader.Remaining < length)
        {
            return false;
        }

        var payload = reader.UnreadSequence.Slice(0, length);
        frame = new HubSocketFrame(opcode, final, payload, mask);
        input = input.Slice(payload.End);
        return true;
    }

    /// <summary>Writes the header of a final, unmasked frame of <paramref name="length"/> bytes so that it ends exactly at <paramref name="end"/>; returns where it starts.</summary>
    public static int WriteHeaderBefore(Span<byte> buffer, int end, byte opcode, int length)
    {
        var headerLength = length < 126 ? 2 : length <= ushort.MaxValue ? 4 : 10;
        var header = buffer[(end - headerLength)..end];
        header[0] = (byte)(0x80 | opcode);
        if (length < 126)
        {
            header[1] = (byte)length;
        }
        else if (length <= ushort.MaxValue)
        {
            header[1] = 126;
            BinaryPrimitives.WriteUInt16BigEndian(header[2..], (ushort)length);
        }
        else
        {
            header[1] = 127;
            BinaryPrimitives.WriteUInt64BigEndian(header[2..], (ulong)length);
        }

        return end - headerLength;
    }
}

/// <summary>One frame from a client; <see cref="Unmask"/> writes its payload out.</summary>
internal readonly record struct HubSocketFrame(byte Opcode, bool Final, ReadOnlySequence<byte> MaskedPayload, int Mask)
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>
    /// Checks a text message's UTF-8 (RFC 6455 8.1: otherwise 1007), frame by frame: <paramref name="decoder"/> carries a
    /// character cut between two frames of one message; it is made only for a message sent in pieces.
    /// </summary>
    public void CheckUtf8(ref Decoder? decoder)
    {
        var payload = new ArrayBufferWriter<byte>((int)Math.Max(MaskedPayload.Length, 1));
        Unmask(payload);
        if (Final && decoder is null)
        {
            if (!Utf8.IsValid(payload.WrittenSpan))
            {
                throw new HubSocketProtocolException("invalid UTF-8", WebSocketCloseStatus.InvalidPayloadData);
            }

            return;
        }

        decoder ??= StrictUtf8.GetDecoder();
        try
        {
            decoder.GetCharCount(payload.WrittenSpan, flush: Final);
        }
        catch (DecoderFallbackException)
        {
            throw new HubSocketProtocolException("invalid UTF-8", WebSocketCloseStatus.InvalidPayloadData);
        }

        if (Final)
        {
            decoder = null;
        }
    }

    public void Unmask(IBufferWriter<byte> output)
    {
        Span<byte> mask = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(mask, Mask);
        var at = 0;
        foreach (var segment in MaskedPayload)
        {
            var from = segment.Span;
            var to = output.GetSpan(from.Length)[..from.Length];
            for (var i = 0; i < from.Length; i++, at++)
            {
                to[i] = (byte)(from[i] ^ mask[at & 3]);
            }

            output.Advance(from.Length);
        }
    }
}

/// <summary>A client broke RFC 6455: the connection is closed with <see cref="Status"/> (1002 protocol error unless said otherwise).</summary>
internal sealed class HubSocketProtocolException(string message, WebSocketCloseStatus status = WebSocketCloseStatus.ProtocolError) : Exception(message)
{
    public WebSocketCloseStatus Status { get; } = status;
}
