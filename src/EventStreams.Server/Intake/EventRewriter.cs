using System.Buffers;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace EventStreams.Server.Intake;

/// <summary>
/// Writes JSON as EventGate would produce it after reading it: each duplicate key once (the last value, at the first
/// one's place, as <c>JSON.parse</c> keeps it), <c>meta.id</c>/<c>meta.dt</c> and the schema's defaults added where
/// missing. Names and values are copied as they came (escapes included), so nothing is re-encoded: a string JavaScript
/// can hold but .NET cannot (a lone surrogate, <c>"\ud800"</c>) passes through as JSON.stringify writes it.
/// </summary>
internal static class EventRewriter
{
    private static readonly JavaScriptEncoder Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;

    /// <summary>A body with duplicate keys, without them.</summary>
    public static byte[] WithoutDuplicateKeys(JsonElement root)
    {
        var output = new ArrayBufferWriter<byte>(4096);
        Write(output, root, null, dedupe: true);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>The event with <c>meta.id</c> and <c>meta.dt</c> added when given, then the schema's missing defaults.</summary>
    public static byte[] Complete(JsonElement e, SchemaDefaults? defaults, Guid? id, DateTimeOffset? dt)
    {
        List<(string Name, string Value)> metaFills = [];
        if (id is { } i)
        {
            metaFills.Add(("id", i.ToString()));
        }

        if (dt is { } t)
        {
            metaFills.Add(("dt", Iso(t)));
        }

        var output = new ArrayBufferWriter<byte>(1024);
        WriteObject(output, e, defaults, dedupe: false, fills: [], metaFills);
        return output.WrittenSpan.ToArray();
    }

    /// <summary>ISO-8601 UTC with milliseconds, as JavaScript's <c>toISOString()</c> (what EventGate writes).</summary>
    public static string Iso(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    private static void Write(ArrayBufferWriter<byte> output, JsonElement value, SchemaDefaults? defaults, bool dedupe)
    {
        if (value.ValueKind == JsonValueKind.Object && (dedupe || defaults is not null))
        {
            WriteObject(output, value, defaults, dedupe, fills: [], metaFills: null);
        }
        else if (value.ValueKind == JsonValueKind.Array && (dedupe || defaults?.Items is not null))
        {
            output.Write("["u8);
            var first = true;
            foreach (var item in value.EnumerateArray())
            {
                Separate(output, ref first);
                Write(output, item, defaults?.Items, dedupe);
            }

            output.Write("]"u8);
        }
        else
        {
            output.Write(JsonMarshal.GetRawUtf8Value(value));
        }
    }

    /// <summary>
    /// An object: its properties (once each when <paramref name="dedupe"/>), then <paramref name="fills"/>, then the
    /// defaults of properties still missing. <paramref name="metaFills"/> go to its <c>meta</c> object (the event's).
    /// </summary>
    private static void WriteObject(ArrayBufferWriter<byte> output, JsonElement value, SchemaDefaults? defaults, bool dedupe,
        List<(string Name, string Value)> fills, List<(string Name, string Value)>? metaFills)
    {
        var properties = dedupe || defaults is not null ? Keyed(value, dedupe) : null;
        output.Write("{"u8);
        var first = true;
        if (properties is null)
        {
            foreach (var property in value.EnumerateObject())
            {
                WriteProperty(property, null);
            }
        }
        else
        {
            foreach (var (key, property) in properties.Values)
            {
                WriteProperty(property, key);
            }
        }

        foreach (var (name, text) in fills)
        {
            Separate(output, ref first);
            WriteName(output, name);
            output.Write("\""u8);
            output.Write(JsonEncodedText.Encode(text, Encoder).EncodedUtf8Bytes);
            output.Write("\""u8);
        }

        if (defaults is not null)
        {
            foreach (var (name, fallback) in defaults.Defaults)
            {
                if (properties!.Index.ContainsKey(name) || fills.Exists(f => f.Name == name))
                {
                    continue;
                }

                Separate(output, ref first);
                WriteName(output, name);
                // A default is itself an instance: an object default gets the defaults of its own properties (AJV validates it next).
                Write(output, fallback, defaults.ForProperty(name), dedupe: false);
            }
        }

        output.Write("}"u8);

        void WriteProperty(JsonProperty property, string? key)
        {
            Separate(output, ref first);
            output.Write("\""u8);
            output.Write(JsonMarshal.GetRawUtf8PropertyName(property));
            output.Write("\":"u8);
            var child = key is null ? null : defaults?.ForProperty(key);
            if (metaFills is not null && property.Value.ValueKind == JsonValueKind.Object && property.NameEquals("meta"))
            {
                WriteObject(output, property.Value, child, dedupe, metaFills, metaFills: null);
            }
            else
            {
                Write(output, property.Value, child, dedupe);
            }
        }
    }

    private sealed record KeyedProperties(List<(string Key, JsonProperty Property)> Values, Dictionary<string, int> Index);

    /// <summary>The properties with their names as keys; with <paramref name="dedupe"/>, each name once: first place, last value.</summary>
    private static KeyedProperties Keyed(JsonElement value, bool dedupe)
    {
        var keyed = new KeyedProperties([], new Dictionary<string, int>(StringComparer.Ordinal));
        foreach (var property in value.EnumerateObject())
        {
            var key = Key(property);
            if (dedupe && keyed.Index.TryGetValue(key, out var at))
            {
                keyed.Values[at] = (key, property);
            }
            else
            {
                keyed.Index.TryAdd(key, keyed.Values.Count);
                keyed.Values.Add((key, property));
            }
        }

        return keyed;
    }

    /// <summary>The name as JavaScript compares it; a name with a lone surrogate (no .NET string) by its escaped text.</summary>
    private static string Key(JsonProperty property)
    {
        try
        {
            return property.Name;
        }
        catch (InvalidOperationException)
        {
            return "\\raw:" + Encoding.UTF8.GetString(JsonMarshal.GetRawUtf8PropertyName(property));
        }
    }

    private static void WriteName(ArrayBufferWriter<byte> output, string name)
    {
        output.Write("\""u8);
        output.Write(JsonEncodedText.Encode(name, Encoder).EncodedUtf8Bytes);
        output.Write("\":"u8);
    }

    private static void Separate(ArrayBufferWriter<byte> output, ref bool first)
    {
        if (!first)
        {
            output.Write(","u8);
        }

        first = false;
    }
}
