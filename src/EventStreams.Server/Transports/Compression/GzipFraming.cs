using System.Buffers;
using System.Buffers.Binary;
using System.IO.Hashing;

namespace EventStreams.Server.Transports.Compression;

/// <summary>
/// One client's gzip stream (RFC 1952) made of shared pieces: the gzip header, then per event the client's own bytes
/// (up to its id) and the event's <see cref="DeflateSegment"/>, and at the end an empty last block and the trailer
/// (CRC-32 and length of everything, combined from the pieces' CRCs). The client's own bytes are mostly its previous
/// ones (one partition's position changed), so they are written as back-references to where the client's decoder
/// already has them plus the few bytes that changed (<see cref="FixedHuffmanWriter"/>); its other text (heartbeats,
/// errors) as fixed-code literals. Pieces follow each other bit by bit, with no alignment marker: a segment is shifted to
/// the bit where the stream is. Each write ends with everything it holds decodable from whole bytes (a client reading
/// the stream as it comes gets each event at once): when its last byte is not full, block syntax that any continuation
/// shares completes it — a fixed-code block's header, or an empty such block — and the part byte after that is kept
/// for the next write. Not thread-safe: one transport loop drives it.
/// </summary>
internal sealed class GzipFraming
{
    /// <summary>Magic, deflate, no flags, no time, no extra flags, unknown OS.</summary>
    private static ReadOnlySpan<byte> Header => [0x1F, 0x8B, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xFF];

    private uint _crc;
    private long _length;
    // The last per-event text and where it starts in the uncompressed stream; allocated with the first event.
    private byte[]? _previous;
    private int _previousLength;
    private long _previousAt;
    // The stream's bits after its last whole byte, and whether they began a fixed-code block that the next write continues.
    private byte _pendingBits;
    private byte _pendingCount;
    private bool _blockOpen;

    public static void WriteHeader(IBufferWriter<byte> output) => output.Write(Header);

    /// <summary>Writes <paramref name="text"/> that only this client gets (a heartbeat, an error) as literals.</summary>
    public void WriteText(IBufferWriter<byte> output, ReadOnlySpan<byte> text)
    {
        if (text.IsEmpty)
        {
            return;
        }

        var block = Bits(output, FixedHuffmanWriter.MaxBytes(text.Length));
        OpenBlock(ref block);
        block.Literals(text);
        CompleteLastByte(ref block);
        Commit(output, ref block);
        Append(Crc32.HashToUInt32(text), Crc32Combine.Shift(text.Length), text.Length);
    }

    /// <summary>
    /// Writes an event: the client's own text of it (e.g. <c>event: message\nid: [...]</c>) as what it shares with the
    /// previous one's (back-references) and what changed (literals), then the event's <paramref name="segment"/>.
    /// </summary>
    public void WriteEvent(IBufferWriter<byte> output, ReadOnlySpan<byte> text, DeflateSegment segment)
    {
        var block = Bits(output, FixedHuffmanWriter.MaxBytes(text.Length));
        OpenBlock(ref block);
        WriteDelta(ref block, text);
        CloseBlock(ref block);
        Commit(output, ref block);
        Append(Crc32.HashToUInt32(text), Crc32Combine.Shift(text.Length), text.Length);
        Remember(text, _length - text.Length);
        WriteSegment(output, segment);
    }

    /// <summary>Splices a segment compressed once for every client.</summary>
    public void WriteSegment(IBufferWriter<byte> output, DeflateSegment segment)
    {
        if (_blockOpen || (segment.StartsOnAByte && _pendingCount != 0))
        {
            var block = Bits(output, 8);
            CloseBlock(ref block);
            if (segment.StartsOnAByte)
            {
                block.AlignWithStoredBlock();
            }

            Commit(output, ref block);
        }

        Splice(output, segment, ref _pendingBits, ref _pendingCount);
        var last = Bits(output, 4);
        CompleteLastByte(ref last);
        Commit(output, ref last);
        Append(segment.Crc, segment.Shift, segment.Length);
    }

    /// <summary>Ends the deflate data and writes the trailer: the stream is complete after this.</summary>
    public void WriteEnd(IBufferWriter<byte> output)
    {
        var block = Bits(output, 8);
        CloseBlock(ref block);
        block.BeginLastBlock();
        block.EndBlock();
        block.PadToByte();
        Commit(output, ref block);
        var span = output.GetSpan(8);
        BinaryPrimitives.WriteUInt32LittleEndian(span, _crc);
        BinaryPrimitives.WriteUInt32LittleEndian(span[4..], (uint)_length); // ISIZE: the length modulo 2^32
        output.Advance(8);
    }

    private void WriteDelta(ref FixedHuffmanWriter block, ReadOnlySpan<byte> text)
    {
        var previous = _previous.AsSpan(0, _previousLength);
        var distance = _length - _previousAt;
        var prefix = text.CommonPrefixLength(previous);
        if (previous.IsEmpty || distance > FixedHuffmanWriter.MaxDistance || prefix < FixedHuffmanWriter.MinMatch)
        {
            block.Literals(text);
            return;
        }

        var suffixDistance = (int)distance + text.Length - previous.Length;
        var suffix = suffixDistance <= FixedHuffmanWriter.MaxDistance ? MatchableSuffix(text[prefix..], previous[prefix..]) : 0;
        block.Match(prefix, (int)distance);
        block.Literals(text[prefix..(text.Length - suffix)]);
        if (suffix > 0)
        {
            block.Match(suffix, suffixDistance);
        }
    }

    /// <summary>
    /// The segment's bits after the stream's <paramref name="pendingCount"/> bits of a part byte: as they are when the
    /// stream is on a byte boundary, else each byte shifted up by that many bits (a word at a time) with the part byte's
    /// bits below. Leaves the new part byte in <paramref name="pendingBits"/> and <paramref name="pendingCount"/>.
    /// </summary>
    internal static void Splice(IBufferWriter<byte> output, DeflateSegment segment, ref byte pendingBits, ref byte pendingCount)
    {
        var bytes = segment.Bytes;
        var shift = pendingCount;
        var span = output.GetSpan(bytes.Length + 1);
        if (shift == 0)
        {
            bytes.CopyTo(span);
            span[bytes.Length] = 0;
        }
        else
        {
            var carry = (ulong)pendingBits;
            var i = 0;
            for (; i + sizeof(ulong) <= bytes.Length; i += sizeof(ulong))
            {
                var word = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(i));
                BinaryPrimitives.WriteUInt64LittleEndian(span[i..], (word << shift) | carry);
                carry = word >> (64 - shift);
            }

            for (; i < bytes.Length; i++)
            {
                span[i] = (byte)((bytes[i] << shift) | (int)carry);
                carry = (ulong)bytes[i] >> (8 - shift);
            }

            span[bytes.Length] = (byte)carry;
        }

        var bits = shift + segment.BitLength;
        var whole = (int)(bits / 8);
        pendingBits = span[whole];
        pendingCount = (byte)(bits % 8);
        output.Advance(whole);
    }

    /// <summary>A writer of bits after the stream's part byte, into at least <paramref name="maxBytes"/> of <paramref name="output"/>.</summary>
    private FixedHuffmanWriter Bits(IBufferWriter<byte> output, int maxBytes) => new(output.GetSpan(maxBytes), _pendingBits, _pendingCount);

    private void Commit(IBufferWriter<byte> output, ref FixedHuffmanWriter block) => output.Advance(block.Finish(out _pendingBits, out _pendingCount));

    private void OpenBlock(ref FixedHuffmanWriter block)
    {
        if (!_blockOpen)
        {
            block.BeginBlock();
            _blockOpen = true;
        }
    }

    private void CloseBlock(ref FixedHuffmanWriter block)
    {
        if (_blockOpen)
        {
            block.EndBlock();
            _blockOpen = false;
        }
    }

    /// <summary>
    /// Fills the byte that holds the last bits of data with block syntax every continuation shares, so that the data is
    /// in whole bytes: the end of the open block (7 bits), or a fixed-code block's header (3 bits, the next write's block)
    /// — alternately until the byte is full, at most an empty block and a header.
    /// </summary>
    private void CompleteLastByte(ref FixedHuffmanWriter block)
    {
        var missing = (8 - block.PartByteBits) & 7;
        while (missing > 0)
        {
            if (_blockOpen)
            {
                CloseBlock(ref block);
                missing -= 7;
            }
            else
            {
                OpenBlock(ref block);
                missing -= 3;
            }
        }
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
