namespace EventStreams.Server.Transports.Compression;

/// <summary>
/// Writes one deflate block with the fixed Huffman codes (RFC 1951 3.2.6) into a span, followed by an empty stored block
/// so that it ends on a byte boundary: literals and back-references into what the client already decoded. Used for the
/// few bytes per event that differ per client (the id), which are mostly the previous id again.
/// </summary>
internal ref struct FixedHuffmanWriter
{
    public const int MaxMatch = 258;
    public const int MinMatch = 3;
    public const int MaxDistance = 32 * 1024;

    private static ReadOnlySpan<ushort> LengthBase => [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
    private static ReadOnlySpan<byte> LengthExtra => [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
    private static ReadOnlySpan<ushort> DistanceBase => [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
    private static ReadOnlySpan<byte> DistanceExtra => [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];

    private readonly Span<byte> _output;
    private ulong _bits;
    private int _bitCount;
    private int _written;

    /// <summary>Starts a block (not the last) in <paramref name="output"/>, which must hold <see cref="MaxBytes"/>.</summary>
    public FixedHuffmanWriter(Span<byte> output)
    {
        _output = output;
        WriteBits(0b010, 3); // BFINAL 0, BTYPE 01 (fixed codes)
    }

    /// <summary>
    /// The most bytes a block for <paramref name="textLength"/> bytes of text takes: a literal is at most 9 bits, a match
    /// at most 31 bits for at least 3 bytes, and the block's header, end and alignment at most 7 bytes.
    /// </summary>
    public static int MaxBytes(int textLength) => (textLength * 2) + 8;

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

    /// <summary>Ends the block and aligns with an empty stored block; returns the bytes written.</summary>
    public int Finish()
    {
        WriteCode(0, 7);       // end of block (256)
        WriteBits(0, 3);       // BFINAL 0, BTYPE 00 (stored)
        WriteBits(0, (8 - (_bitCount & 7)) & 7);
        WriteBits(0xFFFF_0000, 32); // LEN 0, NLEN 0xFFFF
        Drain();
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
