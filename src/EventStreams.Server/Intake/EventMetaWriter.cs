using System.Buffers;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace EventStreams.Server.Intake;

/// <summary>Rewrites an event with <c>meta.dt</c> and/or <c>meta.id</c> added, everything else as it came.</summary>
internal static class EventMetaWriter
{
    private static readonly JsonWriterOptions Options = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = true };

    public static byte[] WithMeta(JsonElement e, DateTimeOffset? dt, Guid? id)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, Options))
        {
            writer.WriteStartObject();
            foreach (var property in e.EnumerateObject())
            {
                if (property.NameEquals("meta") && property.Value.ValueKind == JsonValueKind.Object)
                {
                    writer.WriteStartObject(property.Name);
                    foreach (var field in property.Value.EnumerateObject())
                    {
                        field.WriteTo(writer);
                    }

                    if (id is { } i)
                    {
                        writer.WriteString("id", i.ToString());
                    }

                    if (dt is { } t)
                    {
                        writer.WriteString("dt", Iso(t));
                    }

                    writer.WriteEndObject();
                }
                else
                {
                    property.WriteTo(writer);
                }
            }

            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }

    /// <summary>ISO-8601 UTC with milliseconds, as JavaScript's <c>toISOString()</c> (what EventGate writes).</summary>
    public static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);
}
