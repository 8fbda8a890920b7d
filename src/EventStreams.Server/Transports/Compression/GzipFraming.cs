using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;

namespace EventStreams.Server.Transports.Compression;

/// <summary>
/// One client's gzip stream (RFC 1952) made of shared pieces: the gzip header, then per event the client's own bytes
/// (up to its id) and the event's <see cref="DeflateSegment"/> as it is, and at the end an empty last block and the
/// trailer (CRC-32 and length of everything, combined from the pieces' CRCs). The client's own bytes are mostly its
/// previous ones (one partition's position changed), so they are written as back-references to where the client's
/// decoder already has them plus the few bytes that changed (<see cref="FixedHuffmanWriter"/>); other per-client text
/// (heartbeats, errors) as stored blocks. Every piece ends on a byte boundary with everything before it decodable, so
/// a client reading the stream as it comes gets each event at once. Not thread-safe: one transport loop drives it.
/// </summary>
internal sealed class GzipFraming
{
    /// <summary>Magic, deflate, no flags, no time, no extra flags, unknown OS.</summary>
    private static ReadOnlySpan<byte> Header => [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF];

    /// <summary>A last block with no data (fixed Huffman codes, only the end-of-block code): 1, 01, 0000000.</summary>
    private static ReadOnlySpan<byte> LastBlock => [0x03, 0x00];

    private const int MaxStoredBlock = ushort.MaxValue;

    private uint _crc;
    private long _length;
    // The last per-event text and where it starts in the uncompressed stream; allocated with the first event.
    private byte[]? _previous;
    private int _previousLength;
    private long _previousAt;

    public static void WriteHeader(IBufferWriter<byte> output) => output.Write(Header);

    /// <summary>Writes <paramref name="text"/> uncompressed, as stored blocks: for the few bytes that differ per client.</summary>
    public void WriteStored(IBufferWriter<byte> output, ReadOnlySpan<byte> text)
    {
        if (text.IsEmpty)
        {
            return;
        }

        Append(Crc32.HashToUInt32(text), Crc32Combine.Shift(text.Length), text.Length);
        while (!text.IsEmpty)
        {
            var block = text[..Math.Min(text.Length, MaxStoredBlock)];
            var span = output.GetSpan(5 + block.Length);
            span[0] = 0x00; // not the last block, stored; the rest of the byte is padding
            BinaryPrimitives.WriteUInt16LittleEndian(span[1..], (ushort)block.Length);
            BinaryPrimitives.WriteUInt16LittleEndian(span[3..], (ushort)~block.Length);
            block.CopyTo(span[5..]);
            output.Advance(5 + block.Length);
            text = text[block.Length..];
        }
    }

    /// <summary>
    /// Writes the client's own text of an event (e.g. <c>event: message\nid: [...]</c>) as what it shares with the previous
    /// one's (back-references) and what changed (literals).
    /// </summary>
    public void WriteDelta(IBufferWriter<byte> output, ReadOnlySpan<byte> text)
    {
        var previous = _previous.AsSpan(0, _previousLength);
        var distance = _length - _previousAt;
        var prefix = text.CommonPrefixLength(previous);
        if (previous.IsEmpty || distance > FixedHuffmanWriter.MaxDistance || prefix < FixedHuffmanWriter.MinMatch || text.Length > MaxStoredBlock)
        {
            WriteStored(output, text);
        }
        else
        {
            var suffixDistance = (int)distance + text.Length - previous.Length;
            var suffix = suffixDistance <= FixedHuffmanWriter.MaxDistance ? MatchableSuffix(text[prefix..], previous[prefix..]) : 0;
            var span = output.GetSpan(FixedHuffmanWriter.MaxBytes(text.Length));
            var block = new FixedHuffmanWriter(span);
            block.Match(prefix, (int)distance);
            block.Literals(text[prefix..(text.Length - suffix)]);
            if (suffix > 0)
            {
                block.Match(suffix, suffixDistance);
            }

            output.Advance(block.Finish());
            Append(Crc32.HashToUInt32(text), Crc32Combine.Shift(text.Length), text.Length);
        }

        Remember(text, _length - text.Length);
    }

    /// <summary>Splices a segment compressed once for every client.</summary>
    public void WriteSegment(IBufferWriter<byte> output, DeflateSegment segment)
    {
        Append(segment.Crc, segment.Shift, segment.Length);
        output.Write(segment.Bytes);
    }

    /// <summary>Ends the deflate data and writes the trailer: the stream is complete after this.</summary>
    public void WriteEnd(IBufferWriter<byte> output)
    {
        var span = output.GetSpan(LastBlock.Length + 8);
        LastBlock.CopyTo(span);
        BinaryPrimitives.WriteUInt32LittleEndian(span[2..], _crc);
        BinaryPrimitives.WriteUInt32LittleEndian(span[6..], (uint)_length); // ISIZE: the length modulo 2^32
        output.Advance(LastBlock.Length + 8);
    }

    private void Append(uint crc, uint shift, int length)
    {
        _crc = Crc32Combine.Combine(_crc, crc, shift);
        _length += length;
    }

    /// <summary>The common suffix, when long enough to be a match (else the literals take it).</summary>
    private static int MatchableSuffix(ReadOnlySpan<byte> text, ReadOnlySpan<byte> previous)
    {
        var length = Math.Min(text.Length, previous.Length);
        var suffix = 0;
        while (suffix < length && text[^(suffix + 1)] == previous[^(suffix + 1)])
        {
            suffix++;
        }

        return suffix >= FixedHuffmanWriter.MinMatch ? suffix : 0;
    }

    private void Remember(ReadOnlySpan<byte> text, long at)
    {
        if (_previous is null || _previous.Length < text.Length)
        {
            _previous = new byte[Math.Max(text.Length, 64)];
        }

        text.CopyTo(_previous);
        _previousLength = text.Length;
        _previousAt = at;
    }
}
