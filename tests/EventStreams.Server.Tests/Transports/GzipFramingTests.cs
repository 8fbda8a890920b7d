using System.Buffers;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;
using EventStreams.Server.Transports;
using EventStreams.Server.Transports.Compression;
using Microsoft.AspNetCore.Http;

namespace EventStreams.Server.Tests.Transports;

/// <summary>
/// The gzip stream built from shared segments, stored blocks and per-client deltas decodes (with .NET's zlib, which
/// checks the trailer's CRC-32 and length) to exactly the text that went in.
/// </summary>
public sealed class GzipFramingTests
{
    [Fact]
    public void Segment_IsSelfContainedAndEndsOnASyncFlush()
    {
        var segment = DeflateSegment.Create("\ndata: "u8, """{"a":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}"""u8, "\n\n"u8);

        Assert.Equal([0x00, 0x00, 0xFF, 0xFF], segment.Bytes[^4..]);
        Assert.Equal("\ndata: {\"a\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}\n\n", Inflate(segment.Bytes));
        Assert.Equal(Crc32.HashToUInt32(Encoding.UTF8.GetBytes("\ndata: {\"a\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}\n\n")), segment.Crc);
    }

    [Fact]
    public void Crc32Combine_EqualsTheCrcOfTheConcatenation()
    {
        var random = new Random(7);
        foreach (var (a, b) in new[] { (0, 0), (0, 5), (5, 0), (1, 1), (100, 1_000), (70_000, 3), (3, 70_000) })
        {
            var first = new byte[a];
            var second = new byte[b];
            random.NextBytes(first);
            random.NextBytes(second);

            var combined = Crc32Combine.Combine(Crc32.HashToUInt32(first), Crc32.HashToUInt32(second), Crc32Combine.Shift(b));

            Assert.Equal(Crc32.HashToUInt32([.. first, .. second]), combined);
        }
    }

    [Fact]
    public void Stream_OfSegmentsDeltasAndStoredText_DecodesToTheSameTextWithAValidTrailer()
    {
        var random = new Random(11);
        var output = new ArrayBufferWriter<byte>();
        var expected = new StringBuilder();
        var gzip = new GzipFraming();
        GzipFraming.WriteHeader(output);
        Write(":ok\n\n", text => gzip.WriteStored(output, text));
        var ids = new long[] { 1_764_000_000_000, 1_764_000_000_000 };
        for (var n = 0; n < 400; n++)
        {
            // An id whose elements move one at a time (as positions do), sometimes gaining a digit or a non-ASCII name.
            ids[n % 2] += random.Next(1, n % 50 == 0 ? 100_000_000 : 1000);
            var name = n % 7 == 0 ? "wikí.ünïcode" : "eqiad.mediawiki.recentchange";
            Write($"event: message\nid: [{{\"topic\":\"{name}\",\"partition\":0,\"timestamp\":{ids[0]},\"skip\":{n % 3}}},{{\"topic\":\"codfw\",\"timestamp\":{ids[1]}}}]", text => gzip.WriteDelta(output, text));
            var data = new string('x', random.Next(0, n % 40 == 0 ? 40_000 : 2_000)) + n;
            var segment = DeflateSegment.Create("\ndata: "u8, Encoding.UTF8.GetBytes(data), "\n\n"u8);
            gzip.WriteSegment(output, segment);
            expected.Append("\ndata: ").Append(data).Append("\n\n");
            if (n % 60 == 0)
            {
                Write(":\n\n", text => gzip.WriteStored(output, text));
            }
        }

        gzip.WriteEnd(output);

        var bytes = output.WrittenSpan.ToArray();
        Assert.Equal(expected.ToString(), Gunzip(bytes));
        var all = Encoding.UTF8.GetBytes(expected.ToString());
        Assert.Equal(Crc32.HashToUInt32(all), BitConverter.ToUInt32(bytes, bytes.Length - 8));
        Assert.Equal((uint)all.Length, BitConverter.ToUInt32(bytes, bytes.Length - 4));

        void Write(string text, Action<byte[]> write)
        {
            expected.Append(text);
            write(Encoding.UTF8.GetBytes(text));
        }
    }

    [Fact]
    public void Delta_OfARepeatedId_IsAFewBytes()
    {
        var output = new ArrayBufferWriter<byte>();
        var gzip = new GzipFraming();
        var id = Encoding.UTF8.GetBytes("event: message\nid: [{\"topic\":\"eqiad.mediawiki.recentchange\",\"partition\":0,\"timestamp\":1764000000123,\"skip\":0}]");
        gzip.WriteDelta(output, id);
        var first = output.WrittenCount;
        id[^10] = (byte)'9';
        gzip.WriteDelta(output, id);

        Assert.Equal(id.Length + 5, first); // stored: nothing to refer to yet
        Assert.InRange(output.WrittenCount - first, 1, 16);
    }

    [Theory]
    [InlineData("gzip, deflate, br, zstd", true)]
    [InlineData("gzip", true)]
    [InlineData("GZIP;q=0.5", true)]
    [InlineData("deflate, gzip;q=0", false)]
    [InlineData("*", true)]
    [InlineData("*;q=0", false)]
    [InlineData("gzip;q=0, *", false)]
    [InlineData("br", false)]
    [InlineData("identity", false)]
    [InlineData("", false)]
    public void AcceptsGzip_FollowsTheQualityValues(string header, bool expected)
    {
        var context = new DefaultHttpContext();
        if (header.Length > 0)
        {
            context.Request.Headers.AcceptEncoding = header;
        }

        Assert.Equal(expected, EventStreamWriter.AcceptsGzip(context.Request));
    }

    private static string Inflate(byte[] deflate)
    {
        using var stream = new DeflateStream(new MemoryStream(deflate), CompressionMode.Decompress);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }

    private static string Gunzip(byte[] gzip)
    {
        using var stream = new GZipStream(new MemoryStream(gzip), CompressionMode.Decompress);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        return reader.ReadToEnd();
    }
}
