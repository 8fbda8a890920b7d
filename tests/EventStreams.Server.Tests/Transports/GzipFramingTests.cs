using System.Buffers;
using System.IO.Compression;
using System.IO.Hashing;
using System.IO.Pipelines;
using System.Text;
using EventStreams.Server.Transports;
using EventStreams.Server.Transports.Compression;
using Microsoft.AspNetCore.Http;

namespace EventStreams.Server.Tests.Transports;

/// <summary>
/// The gzip stream built from shared segments spliced at any bit, per-client deltas and text decodes (with .NET's zlib,
/// which checks the trailer's CRC-32 and length) to exactly the text that went in, each write as soon as it is written.
/// </summary>
public sealed class GzipFramingTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(10);

    [Fact]
    public void Segment_IsSelfContainedAndEndsWhereItsBlocksEnd()
    {
        var text = "\ndata: {\"a\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"}\n\n";
        var segment = DeflateSegment.Create("\ndata: "u8, """{"a":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}"""u8, "\n\n"u8);

        Assert.False(segment.StartsOnAByte);
        Assert.InRange(segment.Bytes.Length * 8L - segment.BitLength, 0, 7);
        Assert.Equal(text, Encoding.UTF8.GetString(Gunzip(Stream(gzip => gzip.WriteSegment(_output, segment)))));
        Assert.Equal(Crc32.HashToUInt32(Encoding.UTF8.GetBytes(text)), segment.Crc);
    }

    [Fact]
    public void Segment_OfIncompressibleText_KeepsItsSyncFlushAndStillDecodesAfterAnyText()
    {
        var noise = new byte[3_000];
        new Random(5).NextBytes(noise);
        var segment = DeflateSegment.Create("\ndata: "u8, noise, "\n\n"u8);

        Assert.True(segment.StartsOnAByte);
        Assert.Equal([0x00, 0x00, 0xFF, 0xFF], segment.Bytes[^4..]);
        AssertDecodesAfterTextOfEveryLength(segment, [.. "\ndata: "u8, .. noise, .. "\n\n"u8]);
    }

    [Fact]
    public void Segment_FlushedTwice_KeepsItsSyncFlushesAndStillDecodesAfterAnyText()
    {
        // DeflateStream flushes again when the output of its first flush filled its 8 KiB buffer: an empty stored block
        // inside the segment, which pads by the stream's byte boundaries like any stored block. Texts of ~10-40 KB come
        // across it often.
        var random = new Random(23);
        var texts = Enumerable.Range(0, 300).Select(_ => Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(0, random.Next(500, 2_000)).Select(_ => random.Next(4) == 0 ? new Guid(Bytes(random, 16)).ToString() : "edit of a page " + random.Next(1000)))));

        var text = texts.First(text => SyncFlushed(text).AsSpan().EndsWith((byte[])[0x00, 0x00, 0xFF, 0xFF, 0x00, 0x00, 0x00, 0xFF, 0xFF]));

        var segment = DeflateSegment.Create(default, text, default);

        Assert.True(segment.StartsOnAByte);
        AssertDecodesAfterTextOfEveryLength(segment, text);
    }

    [Fact]
    public void Segment_OfNoText_IsNoBits()
    {
        var segment = DeflateSegment.Create(default, default, default);

        Assert.Equal(0, segment.BitLength);
        Assert.Equal(":", Encoding.UTF8.GetString(Gunzip(Stream(gzip =>
        {
            gzip.WriteText(_output, ":"u8);
            gzip.WriteSegment(_output, segment);
        }))));
    }

    [Fact]
    public void Splice_AtEveryBitOffset_EqualsTheBitsPlacedOneByOne()
    {
        var random = new Random(3);
        for (var n = 0; n < 50; n++)
        {
            var segment = DeflateSegment.Create("\ndata: "u8, Encoding.UTF8.GetBytes(new string('y', random.Next(0, 500)) + random.Next()), "\n\n"u8);
            for (byte offset = 0; offset < 8; offset++)
            {
                var before = (byte)(random.Next(256) & ((1 << offset) - 1));
                var output = new ArrayBufferWriter<byte>();
                var (bits, count) = (before, offset);

                GzipFraming.Splice(output, segment, ref bits, ref count);

                var expected = BitsOf([before], offset).Concat(BitsOf(segment.Bytes, segment.BitLength)).ToList();
                var actual = BitsOf(output.WrittenSpan.ToArray(), output.WrittenCount * 8L).Concat(BitsOf([bits], count)).ToList();
                Assert.Equal(expected, actual);
                Assert.Equal(0, bits >> count);
            }
        }
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
    public void Stream_OfEventsSegmentsAndText_DecodesToTheSameTextWithAValidTrailer()
    {
        var pieces = GzipPieces.Make(seed: 11, count: 600);

        var bytes = pieces.SelectMany(piece => piece.Bytes).ToArray();

        var all = pieces.SelectMany(piece => piece.Text).ToArray();
        Assert.Equal(all, Gunzip(bytes));
        Assert.Equal(Crc32.HashToUInt32(all), BitConverter.ToUInt32(bytes, bytes.Length - 8));
        Assert.Equal((uint)all.Length, BitConverter.ToUInt32(bytes, bytes.Length - 4));
    }

    [Fact]
    public async Task Stream_EachWrite_IsDecodedFromTheBytesWrittenSoFar()
    {
        var pieces = GzipPieces.Make(seed: 13, count: 600);
        var pipe = new Pipe();
        await using var gzip = new GZipStream(pipe.Reader.AsStream(), CompressionMode.Decompress);

        foreach (var piece in pieces)
        {
            await pipe.Writer.WriteAsync(piece.Bytes);
            var decoded = new byte[piece.Text.Length];
            await gzip.ReadExactlyAsync(decoded).AsTask().WaitAsync(Wait);
            Assert.Equal(piece.Text, decoded);
        }

        await pipe.Writer.CompleteAsync();
        Assert.Equal(0, await gzip.ReadAsync(new byte[1]).AsTask().WaitAsync(Wait));
    }

    [Fact]
    public void Event_WithARepeatedId_IsTheSegmentAndAFewBytes()
    {
        var output = new ArrayBufferWriter<byte>();
        var gzip = new GzipFraming();
        var id = Encoding.UTF8.GetBytes("event: message\nid: [{\"topic\":\"eqiad.mediawiki.recentchange\",\"partition\":0,\"timestamp\":1764000000123,\"skip\":0}]");
        var segment = DeflateSegment.Create("\ndata: "u8, """{"a":1}"""u8, "\n\n"u8);
        gzip.WriteEvent(output, id, segment);
        var first = output.WrittenCount;
        id[^10] = (byte)'9';
        gzip.WriteEvent(output, id, segment);

        Assert.InRange(first, id.Length + segment.Bytes.Length, id.Length + segment.Bytes.Length + 4); // literals: nothing to refer to yet
        Assert.InRange(output.WrittenCount - first - segment.Bytes.Length, 1, 9);
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

    private readonly ArrayBufferWriter<byte> _output = new();

    /// <summary>A whole gzip stream: the header, what <paramref name="write"/> writes, the end.</summary>
    private byte[] Stream(Action<GzipFraming> write)
    {
        _output.ResetWrittenCount();
        var gzip = new GzipFraming();
        GzipFraming.WriteHeader(_output);
        write(gzip);
        gzip.WriteEnd(_output);
        return _output.WrittenSpan.ToArray();
    }

    /// <summary>The segment decodes after text that leaves the stream at each bit offset.</summary>
    private void AssertDecodesAfterTextOfEveryLength(DeflateSegment segment, byte[] expected)
    {
        for (var length = 1; length <= 8; length++)
        {
            var text = new byte[length];
            var decoded = Gunzip(Stream(gzip =>
            {
                gzip.WriteText(_output, text);
                gzip.WriteSegment(_output, segment);
            }));
            Assert.Equal([.. text, .. expected], decoded);
        }
    }

    private static byte[] SyncFlushed(byte[] text)
    {
        var output = new MemoryStream();
        using var deflate = new DeflateStream(output, CompressionLevel.SmallestSize);
        deflate.Write(text);
        deflate.Flush();
        return output.ToArray();
    }

    private static byte[] Bytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>The first <paramref name="count"/> bits of <paramref name="bytes"/>, from each byte's lowest, as deflate packs them.</summary>
    private static IEnumerable<bool> BitsOf(byte[] bytes, long count)
    {
        for (var i = 0L; i < count; i++)
        {
            yield return ((bytes[i / 8] >> (int)(i % 8)) & 1) != 0;
        }
    }

    private static byte[] Gunzip(byte[] gzip)
    {
        using var stream = new GZipStream(new MemoryStream(gzip), CompressionMode.Decompress);
        using var text = new MemoryStream();
        stream.CopyTo(text);
        return text.ToArray();
    }
}
