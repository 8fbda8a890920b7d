using System.Text;

namespace EventStreams.Server.Streaming;

/// <summary>Text from outside may hold half of a surrogate pair, which no JSON writer or UTF-8 encoder accepts.</summary>
internal static class LoneSurrogates
{
    public static bool Any(ReadOnlySpan<char> text) => FirstInvalid(text) >= 0;

    /// <summary><paramref name="text"/> with each lone surrogate replaced by U+FFFD, for echoing it in an error.</summary>
    public static string Replace(string text)
    {
        if (FirstInvalid(text) < 0)
        {
            return text;
        }

        var builder = new StringBuilder(text.Length);
        var rest = text.AsSpan();
        while (!rest.IsEmpty)
        {
            Rune.DecodeFromUtf16(rest, out var rune, out var used);
            builder.Append(rune.ToString());
            rest = rest[used..];
        }

        return builder.ToString();
    }

    private static int FirstInvalid(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length;)
        {
            if (Rune.DecodeFromUtf16(text[i..], out _, out var used) != System.Buffers.OperationStatus.Done)
            {
                return i;
            }

            i += used;
        }

        return -1;
    }
}
