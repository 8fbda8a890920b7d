namespace EventStreams.Server.Transports.Compression;

/// <summary>
/// CRC-32 (gzip's) of a concatenation from the CRCs of its parts, as zlib's <c>crc32_combine</c>: multiplication of
/// polynomials modulo the CRC polynomial, in the reflected bit order. <see cref="Shift"/> depends only on the second
/// part's length, so a segment shared by many streams computes it once and each stream pays one multiplication.
/// </summary>
internal static class Crc32Combine
{
    private const uint Polynomial = 0xEDB88320;

    /// <summary>x^(2^k) modulo the polynomial, for k = 0..31.</summary>
    private static readonly uint[] PowersOfTwo = MakePowers();

    /// <summary><see cref="Shift"/> of the lengths a client's own text per event has (an id): made once, not per event per client.</summary>
    private static readonly uint[] ShortShifts = [.. Enumerable.Range(0, 1024).Select(length => Power(length))];

    /// <summary>The operator that appends <paramref name="length"/> bytes: x^(8 × length) modulo the polynomial.</summary>
    public static uint Shift(long length) => length < ShortShifts.Length ? ShortShifts[length] : Power(length);

    private static uint Power(long length)
    {
        var product = 1u << 31; // the polynomial 1
        for (var k = 3; length != 0; length >>= 1, k++)
        {
            if ((length & 1) != 0)
            {
                product = Multiply(PowersOfTwo[k & 31], product);
            }
        }

        return product;
    }

    /// <summary>The CRC of A followed by B, given CRC(A), CRC(B) and <see cref="Shift"/> of B's length.</summary>
    public static uint Combine(uint first, uint second, uint secondShift) => Multiply(secondShift, first) ^ second;

    private static uint Multiply(uint a, uint b)
    {
        var bit = 1u << 31;
        var product = 0u;
        while (true)
        {
            if ((a & bit) != 0)
            {
                product ^= b;
                if ((a & (bit - 1)) == 0)
                {
                    return product;
                }
            }

            bit >>= 1;
            b = (b & 1) != 0 ? (b >> 1) ^ Polynomial : b >> 1;
        }
    }

    private static uint[] MakePowers()
    {
        var powers = new uint[32];
        var p = 1u << 30; // x^1
        powers[0] = p;
        for (var k = 1; k < 32; k++)
        {
            powers[k] = p = Multiply(p, p);
        }

        return powers;
    }
}
