using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EventStreams.Server.Intake;

/// <summary>
/// The <c>/error/2.1.0</c> event EventGate produces for an invalid event (to <c>&lt;destination_event_service&gt;.error.validation</c>):
/// the rejected event as a JSON string, why, and where it was going.
/// </summary>
internal static class ErrorEvents
{
    public const string SchemaUri = "/error/2.1.0";

    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static byte[] Create(EventFailure failure, string errorStream, string emitter, DateTimeOffset now, Guid id)
    {
        var e = failure.Event;
        var meta = e.ValueKind == JsonValueKind.Object && e.TryGetProperty("meta", out var m) && m.ValueKind == JsonValueKind.Object ? m : default;
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            writer.WriteStartObject();
            writer.WriteString("$schema", SchemaUri);
            writer.WriteStartObject("meta");
            writer.WriteString("uri", MetaString(meta, "uri"));
            writer.WriteString("request_id", MetaString(meta, "request_id"));
            writer.WriteString("id", id.ToString());
            writer.WriteString("dt", EventRewriter.Iso(now));
            writer.WriteString("domain", MetaString(meta, "domain"));
            writer.WriteString("stream", errorStream);
            writer.WriteEndObject();
            writer.WriteString("dt", EventRewriter.Iso(now));
            writer.WriteString("emitter_id", emitter);
            writer.WriteString("message", failure.ErrorsText);
            writer.WriteString("error_type", "validation");
            writer.WriteString("raw_event", e.GetRawText());
            writer.WriteString("errored_stream_name", failure.Stream ?? "unknown");
            writer.WriteString("errored_schema_uri", failure.SchemaUri ?? "unknown");
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    private static string MetaString(JsonElement meta, string name) =>
        meta.ValueKind == JsonValueKind.Object && meta.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString()! : "unknown";
}
