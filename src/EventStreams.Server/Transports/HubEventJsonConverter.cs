using System.Text.Json;
using System.Text.Json.Serialization;
using EventStreams.Server.Kafka;

namespace EventStreams.Server.Transports;

/// <summary>
/// Writes a <see cref="HubEvent"/> as SignalR's JSON protocol writes a <see cref="StreamEvent"/>: <c>data</c> is the
/// event's cached JSON string token, copied as is when the writer escapes like the cache (SignalR's writer does);
/// any other writer escapes the cached UTF-8 itself. Write-only: clients read <see cref="StreamEvent"/>.
/// </summary>
internal sealed class HubEventJsonConverter : JsonConverter<HubEvent>
{
    private static readonly JsonEncodedText IdName = JsonEncodedText.Encode("id");
    private static readonly JsonEncodedText DataName = JsonEncodedText.Encode("data");

    public override HubEvent Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException($"{nameof(HubEvent)} is written only; read a {nameof(StreamEvent)}.");

    public override void Write(Utf8JsonWriter writer, HubEvent value, JsonSerializerOptions options)
    {
        writer.WriteStartObject();
        writer.WriteString(IdName, value.Id.Span);
        writer.WritePropertyName(DataName);
        if (value.Data is null)
        {
            writer.WriteNullValue();
        }
        else if (ReferenceEquals(writer.Options.Encoder, EventStrings.JsonEncoder))
        {
            writer.WriteRawValue(value.Data.Strings.JsonString, skipInputValidation: true);
        }
        else
        {
            writer.WriteStringValue(value.Data.Strings.Utf8);
        }

        writer.WriteEndObject();
    }
}
