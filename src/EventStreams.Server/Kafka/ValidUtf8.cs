using System.Text;
using System.Text.Unicode;

namespace EventStreams.Server.Kafka;

/// <summary>
/// The one rule for bytes that should be UTF-8 and may not be (an intake body, a message another producer wrote): each
/// invalid sequence becomes one U+FFFD, the WHATWG decoder's rule that JavaScript, EventGate and .NET's decoder follow.
/// </summary>
internal static class ValidUtf8
{
    /// <summary>The bytes themselves when they are valid UTF-8, else <see cref="Repair"/>ed.</summary>
    public static byte[] Of(byte[] bytes) => Utf8.IsValid(bytes) ? bytes : Repair(bytes);

    /// <summary>The bytes decoded with each invalid sequence replaced by U+FFFD, encoded again.</summary>
    public static byte[] Repair(ReadOnlySpan<byte> bytes) => Encoding.UTF8.GetBytes(Encoding.UTF8.GetString(bytes));
}
