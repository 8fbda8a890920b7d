using System.Buffers;
using System.Text;
using EventStreams.Server.Transports.Compression;

namespace EventStreams.Server.Tests.Transports;

/// <summary>One write to a gzip stream: the bytes it added and the text they decode to.</summary>
internal sealed record GzipPiece(byte[] Bytes, byte[] Text);

/// <summary>
/// A whole gzip stream as its writes: the header with <c>:ok</c>, events (an id that moves like positions do, data of
/// random size, now and then incompressible), heartbeats and bare segments (NDJSON's form) between them, the end. Random
/// sizes put the segments at every bit offset.
/// </summary>
internal static class GzipPieces
{
    public static List<GzipPiece> Make(int seed, int count)
    {
        var random = new Random(seed);
        var output = new ArrayBufferWriter<byte>();
        var gzip = new GzipFraming();
        var pieces = new List<GzipPiece>();
        Add(":ok\n\n"u8.ToArray(), text =>
        {
            GzipFraming.WriteHeader(output);
            gzip.WriteText(output, text);
        });
        var ids = new long[] { 1_764_000_000_000, 1_764_000_000_000 };
        for (var n = 0; n < count; n++)
        {
            ids[n % 2] += random.Next(1, n % 50 == 0 ? 100_000_000 : 1000);
            var name = n % 7 == 0 ? "wikí.ünïcode" : "eqiad.mediawiki.recentchange";
            var id = Encoding.UTF8.GetBytes($"event: message\nid: [{{\"topic\":\"{name}\",\"partition\":0,\"timestamp\":{ids[0]},\"skip\":{n % 3}}},{{\"topic\":\"codfw\",\"timestamp\":{ids[1]}}}]");
            var data = Data(random, n);
            var segment = DeflateSegment.Create("\ndata: "u8, data, "\n\n"u8);
            switch (random.Next(10))
            {
                case 0:
                    Add(Encoding.UTF8.GetBytes(random.Next(3) == 0 ? $": note {n}\n\n" : ":\n\n"), text => gzip.WriteText(output, text));
                    break;
                case 1:
                    Add([.. "\ndata: "u8, .. data, .. "\n\n"u8], _ => gzip.WriteSegment(output, segment));
                    break;
                default:
                    Add([.. id, .. "\ndata: "u8, .. data, .. "\n\n"u8], _ => gzip.WriteEvent(output, id, segment));
                    break;
            }
        }

        Add([], _ => gzip.WriteEnd(output));
        return pieces;

        void Add(byte[] text, Action<byte[]> write)
        {
            var before = output.WrittenCount;
            write(text);
            pieces.Add(new GzipPiece(output.WrittenSpan[before..].ToArray(), text));
        }
    }

    private static byte[] Data(Random random, int n)
    {
        if (n % 97 == 0)
        {
            return Bytes(random, random.Next(100, 5_000));
        }

        var size = random.Next(0, n % 40 == 0 ? 40_000 : 2_000);
        var data = new StringBuilder("{\"n\":").Append(n).Append(",\"text\":\"");
        while (data.Length < size)
        {
            data.Append(random.Next(4) == 0 ? new Guid(Bytes(random, 16)).ToString() : "edit of a page ").Append(random.Next(1000));
        }

        return Encoding.UTF8.GetBytes(data.Append("\"}").ToString());
    }

    private static byte[] Bytes(Random random, int count)
    {
        var bytes = new byte[count];
        random.NextBytes(bytes);
        return bytes;
    }
}
