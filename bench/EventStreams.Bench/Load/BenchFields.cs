using System.Buffers.Text;

namespace EventStreams.Bench.Load;

/// <summary>The benchmark fields at the start of an event's JSON: sequence key, sequence number, production time (µs).</summary>
internal static class BenchFields
{
    private static readonly byte[] KeyField = "\"bench_k\":"u8.ToArray();
    private static readonly byte[] SeqField = "\"bench_seq\":"u8.ToArray();
    private static readonly byte[] TsField = "\"bench_ts\":"u8.ToArray();

    public static bool TryRead(ReadOnlySpan<byte> json, out long key, out long seq, out long micros)
    {
        var head = json[..Math.Min(json.Length, 160)];
        seq = micros = 0;
        return TryField(head, KeyField, out key) && TryField(head, SeqField, out seq) && TryField(head, TsField, out micros);
    }

    private static bool TryField(ReadOnlySpan<byte> line, ReadOnlySpan<byte> field, out long value)
    {
        var at = line.IndexOf(field);
        value = 0;
        return at >= 0 && Utf8Parser.TryParse(line[(at + field.Length)..], out value, out _);
    }
}
