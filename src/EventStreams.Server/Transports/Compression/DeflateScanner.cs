namespace EventStreams.Server.Transports.Compression;

/// <summary>
/// Walks deflate blocks (RFC 1951) without producing their text, to find where a sync-flushed run of blocks ends bit by
/// bit: before the empty stored block that only byte-aligned it. Decodes one bit at a time, as Mark Adler's puff.c
/// (zlib's reference decoder) does: it runs once per event, not once per client.
/// </summary>
internal ref struct DeflateScanner
{
    private static readonly byte[] CodeLengthOrder = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];
    private static readonly Huffman FixedLiterals = Huffman.Build([.. Enumerable.Repeat((byte)8, 144), .. Enumerable.Repeat((byte)9, 112), .. Enumerable.Repeat((byte)7, 24), .. Enumerable.Repeat((byte)8, 8)]);
    private static readonly Huffman FixedDistances = Huffman.Build([.. Enumerable.Repeat((byte)5, 30)]);

    private readonly ReadOnlySpan<byte> _input;
    private long _position;

    private DeflateScanner(ReadOnlySpan<byte> input) => _input = input;

    /// <summary>
    /// The bit (from the first byte's lowest) where the blocks of <paramref name="deflate"/> end: where the empty stored
    /// block that is its last 4 to 5 bytes starts (a sync flush). <paramref name="hasStoredBlock"/>: a block before it is
    /// stored (even an empty one), which pads to a byte boundary of the stream it is in, so the blocks may not be moved by
    /// a part of a byte.
    /// </summary>
    public static long DataEnd(ReadOnlySpan<byte> deflate, out bool hasStoredBlock)
    {
        var scanner = new DeflateScanner(deflate);
        hasStoredBlock = false;
        while (true)
        {
            var start = scanner._position;
            if (scanner.Bits(1) != 0)
            {
                throw new InvalidDataException("A segment holds the last block of a stream.");
            }

            switch (scanner.Bits(2))
            {
                case 0:
                    scanner._position = (scanner._position + 7) & ~7L;
                    var length = scanner.Bits(16);
                    if (length != (~scanner.Bits(16) & 0xFFFF))
                    {
                        throw new InvalidDataException("A stored block's length does not match its complement.");
                    }

                    if (length == 0 && scanner._position == deflate.Length * 8L)
                    {
                        return start;
                    }

                    // Also an empty one: .NET's DeflateStream flushes again when the first flush filled its buffer.
                    hasStoredBlock = true;
                    scanner._position += length * 8L;
                    break;
                case 1:
                    scanner.Codes(FixedLiterals, FixedDistances);
                    break;
                case 2:
                    scanner.DynamicBlock();
                    break;
                default:
                    throw new InvalidDataException("A block of the reserved type 3.");
            }
        }
    }

    private void DynamicBlock()
    {
        var literalCount = Bits(5) + 257;
        var distanceCount = Bits(5) + 1;
        var codeLengthCount = Bits(4) + 4;
        Span<byte> codeLengths = stackalloc byte[19];
        for (var i = 0; i < codeLengthCount; i++)
        {
            codeLengths[CodeLengthOrder[i]] = (byte)Bits(3);
        }

        var codeLengthCode = Huffman.Build(codeLengths);
        Span<byte> lengths = stackalloc byte[literalCount + distanceCount];
        var index = 0;
        while (index < lengths.Length)
        {
            var symbol = Decode(codeLengthCode);
            if (symbol < 16)
            {
                lengths[index++] = (byte)symbol;
                continue;
            }

            var (value, repeat) = symbol switch
            {
                16 when index > 0 => (lengths[index - 1], 3 + Bits(2)),
                17 => ((byte)0, 3 + Bits(3)),
                18 => ((byte)0, 11 + Bits(7)),
                _ => throw new InvalidDataException("A repeat with no length before it."),
            };
            if (index + repeat > lengths.Length)
            {
                throw new InvalidDataException("Code lengths beyond the block's counts.");
            }

            lengths.Slice(index, repeat).Fill(value);
            index += repeat;
        }

        Codes(Huffman.Build(lengths[..literalCount]), Huffman.Build(lengths[literalCount..]));
    }

    /// <summary>Skips literals and matches up to the end-of-block code.</summary>
    private void Codes(Huffman literals, Huffman distances)
    {
        while (true)
        {
            var symbol = Decode(literals);
            if (symbol == 256)
            {
                return;
            }

            if (symbol > 256)
            {
                var length = symbol - 257;
                if (length >= FixedHuffmanWriter.LengthExtra.Length)
                {
                    throw new InvalidDataException("An invalid length code.");
                }

                _position += FixedHuffmanWriter.LengthExtra[length];
                var distance = Decode(distances);
                if (distance >= FixedHuffmanWriter.DistanceExtra.Length)
                {
                    throw new InvalidDataException("An invalid distance code.");
                }

                _position += FixedHuffmanWriter.DistanceExtra[distance];
            }
        }
    }

    private int Decode(Huffman code)
    {
        int value = 0, first = 0, index = 0;
        for (var length = 1; length < Huffman.MaxBits + 1; length++)
        {
            value |= Bits(1);
            var count = code.Counts[length];
            if (value - count < first)
            {
                return code.Symbols[index + value - first];
            }

            index += count;
            first = (first + count) << 1;
            value <<= 1;
        }

        throw new InvalidDataException("A code that is not in its table.");
    }

    private int Bits(int count)
    {
        var value = 0;
        for (var i = 0; i < count; i++, _position++)
        {
            if (_position >= _input.Length * 8L)
            {
                throw new InvalidDataException("The blocks end before their sync flush.");
            }

            value |= ((_input[(int)(_position >> 3)] >> (int)(_position & 7)) & 1) << i;
        }

        return value;
    }

    /// <summary>A canonical Huffman code as puff.c keeps it: how many codes of each length, and the symbols in code order.</summary>
    private sealed class Huffman(short[] counts, short[] symbols)
    {
        public const int MaxBits = 15;

        public short[] Counts { get; } = counts;

        public short[] Symbols { get; } = symbols;

        public static Huffman Build(ReadOnlySpan<byte> lengths)
        {
            var counts = new short[MaxBits + 1];
            foreach (var length in lengths)
            {
                counts[length]++;
            }

            counts[0] = 0;
            Span<short> offsets = stackalloc short[MaxBits + 1];
            for (var length = 1; length < MaxBits; length++)
            {
                offsets[length + 1] = (short)(offsets[length] + counts[length]);
            }

            var symbols = new short[lengths.Length];
            for (var symbol = 0; symbol < lengths.Length; symbol++)
            {
                if (lengths[symbol] != 0)
                {
                    symbols[offsets[lengths[symbol]]++] = (short)symbol;
                }
            }

            return new Huffman(counts, symbols);
        }
    }
}
