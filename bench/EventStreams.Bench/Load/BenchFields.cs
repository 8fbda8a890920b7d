using System.Buffers.Text;

namespace EventStreams.Bench.Load;

/// <summary>The benchmark fields at the start of an event's JSON: sequence key, sequence number, production time (µs).</summary>
internal static class BenchFields
{
    private static readonly Fields Plain = new("\"bench_k\":"u8.ToArray(), "\"bench_seq\":"u8.ToArray(), "\"bench_ts\":"u8.ToArray(), 160);

    /// <summary>The same names inside a JSON string token (the hub's <c>data</c>), where every quote is <c>\"</c>.</summary>
    private static readonly Fields Escaped = new("\\\"bench_k\\\":"u8.ToArray(), "\\\"bench_seq\\\":"u8.ToArray(), "\\\"bench_ts\\\":"u8.ToArray(), 200);

    public static bool TryRead(ReadOnlySpan<byte> json, out long key, out long seq, out long micros) =>
        TryRead(Plain, json, out key, out seq, out micros);

    /// <summary>As <see cref="TryRead(ReadOnlySpan{byte}, out long, out long, out long)"/>, from the event's JSON still escaped as a JSON string's text.</summary>
    public static bool TryReadEscaped(ReadOnlySpan<byte> jsonString, out long key, out long seq, out long micros) =>
        TryRead(Escaped, jsonString, out key, out seq, out micros);

    private static bool TryRead(Fields fields, ReadOnlySpan<byte> json, out long key, out long seq, out long micros)
    {
        var head = json[..Math.Min(json.Length, fields.Head)];
        seq = micros = 0;
        return TryField(head, fields.Key, out key) && TryField(head, fields.Seq, out seq) && TryField(head, fields.Ts, out micros);
    }

    private static bool TryField(ReadOnlySpan<byte> line, ReadOnlySpan<byte> field, out long value)
    {
        var at = line.IndexOf(field);
        value = 0;
        return at >= 0 && Utf8Parser.TryParse(line[(at + field.Length)..], out value, out _);
    }

    private sealed record Fields(byte[] Key, byte[] Seq, byte[] Ts, int Head);
}
