using MessagePack;
using MessagePack.Formatters;

namespace EventStreams.Server.Transports;

/// <summary>
/// Writes a <see cref="HubEvent"/> as SignalR's MessagePack protocol (contractless) writes a <see cref="StreamEvent"/>:
/// a map <c>{"Id": str, "Data": str | nil}</c>, <c>Data</c> the event's cached UTF-8 copied as a <c>str</c>.
/// Write-only: clients read <see cref="StreamEvent"/>.
/// </summary>
internal sealed class HubEventMessagePackFormatter : IMessagePackFormatter<HubEvent>
{
    public void Serialize(ref MessagePackWriter writer, HubEvent value, MessagePackSerializerOptions options)
    {
        writer.WriteMapHeader(2);
        writer.Write(nameof(StreamEvent.Id));
        writer.WriteString(value.Id.Span);
        writer.Write(nameof(StreamEvent.Data));
        if (value.Data is null)
        {
            writer.WriteNil();
        }
        else
        {
            writer.WriteString(value.Data.Strings.Utf8);
        }
    }

    public HubEvent Deserialize(ref MessagePackReader reader, MessagePackSerializerOptions options) =>
        throw new NotSupportedException($"{nameof(HubEvent)} is written only; read a {nameof(StreamEvent)}.");
}
