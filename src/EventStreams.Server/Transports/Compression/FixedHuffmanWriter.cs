namespace EventStreams.Server.Transports.Compression;

/// <summary>
/// Writes deflate bits into a span, after the bits of a part byte that an earlier write left: blocks with the fixed
/// Huffman codes (RFC 1951 3.2.6) of literals and back-references into what the client already decoded. Used for the few
/// bytes per event that differ per client (the id), which are mostly the previous id again, and for a client's other
/// text (heartbeats, errors).
/// </summary>
internal ref struct FixedHuffmanWriter
{
    public const int MaxMatch = 258;
    public const int MinMatch = 3;
    public const int MaxDistance = 32 * 1024;

    private static ReadOnlySpan<ushort> LengthBase => [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
    internal static ReadOnlySpan<byte> LengthExtra => [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
    private static ReadOnlySpan<ushort> DistanceBase => [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
    internal static ReadOnlySpan<byte> DistanceExtra => [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];

    private readonly Span<byte> _output;
    private ulong _bits;
    private int _bitCount;
    private int _written;

    /// <summary>
    /// Writes into <paramref name="output"/> (for a block, <see cref="MaxBytes"/>) after the <paramref name="pendingCount"/>
    /// lowest bits of <paramref name="pendingBits"/>, the stream's bits that did not fill a byte.
    /// </summary>
    public FixedHuffmanWriter(Span<byte> output, byte pendingBits, int pendingCount)
    {
        _output = output;
        _bits = pendingBits;
        _bitCount = pendingCount;
    }

    /// <summary>
    /// The most bytes a block for <paramref name="textLength"/> bytes of text takes: a literal is at most 9 bits, a match
    /// at most 31 bits for at least 3 bytes, and the bits before it, the block's header, end and what completes the last
    /// byte at most 7 bytes.
    /// </summary>
    public static int MaxBytes(int textLength) => (textLength * 2) + 8;

    /// <summary>How many bits of the last byte are written (0: the bits end on a byte boundary).</summary>
    public readonly int PartByteBits => _bitCount & 7;

    /// <summary>Starts a block with the fixed codes that is not the last: BFINAL 0, BTYPE 01.</summary>
    public void BeginBlock() => WriteBits(0b010, 3);

    /// <summary>Starts the stream's last block, with the fixed codes: BFINAL 1, BTYPE 01.</summary>
    public void BeginLastBlock() => WriteBits(0b011, 3);

    /// <summary>The end-of-block code (256).</summary>
    public void EndBlock() => WriteCode(0, 7);

    /// <summary>An empty stored block (what a sync flush writes), which pads to a byte boundary.</summary>
    public void AlignWithStoredBlock()
    {
        WriteBits(0, 3);
        WriteBits(0, (8 - (_bitCount & 7)) & 7);
        WriteBits(0xFFFF_0000, 32); // LEN 0, NLEN 0xFFFF
    }

    /// <summary>Zero bits up to the next byte boundary (after the last block).</summary>
    public void PadToByte() => WriteBits(0, (8 - (_bitCount & 7)) & 7);

    public void Literals(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            if (b < 144)
            {
                WriteCode(0x30 + b, 8);
            }
            else
            {
                WriteCode(0x190 + b - 144, 9);
            }
        }
    }

    /// <summary>Copies <paramref name="length"/> bytes from <paramref name="distance"/> back (any length: split as needed).</summary>
    public void Match(int length, int distance)
    {
        while (length > 0)
        {
            // Never leave a remainder shorter than a match can be.
            var take = length <= MaxMatch ? length : Math.Min(MaxMatch, length - MinMatch);
            length -= take;
            var code = LengthCode(take);
            var symbol = 257 + code;
            if (symbol < 280)
            {
                WriteCode(symbol - 256, 7);
            }
            else
            {
                WriteCode(0xC0 + symbol - 280, 8);
            }

            WriteBits((uint)(take - LengthBase[code]), LengthExtra[code]);
            var distanceCode = DistanceCode(distance);
            WriteCode(distanceCode, 5);
            WriteBits((uint)(distance - DistanceBase[distanceCode]), DistanceExtra[distanceCode]);
        }
    }

    /// <summary>Returns how many whole bytes were written, and the bits of the part byte after them.</summary>
    public int Finish(out byte pendingBits, out byte pendingCount)
    {
        Drain();
        pendingBits = (byte)_bits;
        pendingCount = (byte)_bitCount;
        return _written;
    }

    private static int LengthCode(int length)
    {
        var code = LengthBase.BinarySearch((ushort)length);
        return code >= 0 ? code : ~code - 1;
    }

    private static int DistanceCode(int distance)
    {
        var code = DistanceBase.BinarySearch((ushort)distance);
        return code >= 0 ? code : ~code - 1;
    }

    /// <summary>Huffman codes are packed most significant bit first: reversed, since bits are packed from the lowest.</summary>
    private void WriteCode(int code, int length) => WriteBits(BitReverse((uint)code, length), length);

    private static uint BitReverse(uint code, int length)
    {
        var reversed = 0u;
        for (var i = 0; i < length; i++)
        {
            reversed = (reversed << 1) | ((code >> i) & 1);
        }

        return reversed;
    }

    private void WriteBits(uint value, int count)
    {
        _bits |= (ulong)value << _bitCount;
        _bitCount += count;
        if (_bitCount >= 32)
        {
            Drain();
        }
    }

    private void Drain()
    {
        while (_bitCount >= 8)
        {
            _output[_written++] = (byte)_bits;
            _bits >>= 8;
            _bitCount -= 8;
        }
    }
}
