using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace EventStreams.Server.Kafka;

/// <summary>
/// An event's JSON as the string value SignalR sends in <c>data</c>, encoded once per event and shared by every
/// hub client: <see cref="Utf8"/> is the text as valid UTF-8 (a MessagePack <c>str</c>), <see cref="JsonString"/> the
/// quoted, escaped JSON string token exactly as SignalR's JSON protocol writes a <see cref="string"/> (its writer
/// escapes with <see cref="JavaScriptEncoder.UnsafeRelaxedJsonEscaping"/>).
/// </summary>
internal sealed class EventStrings
{
    /// <summary>The encoder of SignalR's JSON protocol writer; <see cref="JsonString"/> is escaped with it.</summary>
    public static readonly JavaScriptEncoder JsonEncoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JsonEncoder, SkipValidation = true };

    private byte[]? _jsonString;

    private EventStrings(byte[] utf8) => Utf8 = utf8;

    /// <summary>The event text as valid UTF-8: the JSON bytes themselves, or (never for events the encoder wrote) their decoding with U+FFFD replacements, as a <see cref="string"/> would hold them.</summary>
    public byte[] Utf8 { get; }

    /// <summary>
    /// The event text as one JSON string token, quotes included; made when a JSON client first needs it (a race
    /// makes it twice at worst, with equal results).
    /// </summary>
    public byte[] JsonString => _jsonString ??= Escape(Utf8);

    public static EventStrings Create(byte[] json) => new(ValidUtf8.Of(json));

    private static byte[] Escape(byte[] utf8)
    {
        var buffer = new ArrayBufferWriter<byte>(utf8.Length + (utf8.Length / 8) + 2);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStringValue(utf8);
        }

        return buffer.WrittenSpan.ToArray();
    }
}
