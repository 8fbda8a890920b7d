using System.Buffers.Text;

namespace EventStreams.Bench.Load;

/// <summary>The text of a JSON string token as it stands on the wire, escapes and all, read without unescaping it.</summary>
internal static class JsonStringContent
{
    /// <summary>
    /// The UTF-8 length of the string that <paramref name="escaped"/> (what follows the opening quote) holds up to its
    /// closing quote, as <c>Encoding.UTF8.GetBytes</c> of the decoded string gives it (a lone surrogate counts as
    /// U+FFFD); -1 when the closing quote is missing.
    /// </summary>
    public static int Utf8Length(ReadOnlySpan<byte> escaped)
    {
        var length = 0;
        var i = 0;
        while (true)
        {
            var next = escaped[i..].IndexOfAny((byte)'"', (byte)'\\');
            if (next < 0)
            {
                return -1;
            }

            length += next;
            i += next;
            if (escaped[i] == '"')
            {
                return length;
            }

            if (i + 1 == escaped.Length)
            {
                return -1;
            }

            if (escaped[i + 1] != 'u')
            {
                length++;
                i += 2;
            }
            else if (CodeUnit(escaped, i) is not { } unit)
            {
                return -1;
            }
            else if (char.IsHighSurrogate(unit) && CodeUnit(escaped, i + 6) is { } low && char.IsLowSurrogate(low))
            {
                length += 4;
                i += 12;
            }
            else
            {
                length += unit < 0x80 ? 1 : unit < 0x800 ? 2 : 3;
                i += 6;
            }
        }
    }

    /// <summary>The UTF-16 code unit of a <c>\uXXXX</c> escape at <paramref name="at"/>, or null.</summary>
    private static char? CodeUnit(ReadOnlySpan<byte> escaped, int at) =>
        at + 6 <= escaped.Length && escaped[at] == '\\' && escaped[at + 1] == 'u' && Utf8Parser.TryParse(escaped.Slice(at + 2, 4), out ushort unit, out var used, 'X') && used == 4
            ? (char)unit
            : null;
}
