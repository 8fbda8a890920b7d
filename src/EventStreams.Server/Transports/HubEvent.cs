using EventStreams.Server.Kafka;
using MessagePack;
using System.Text.Json.Serialization;

namespace EventStreams.Server.Transports;

/// <summary>
/// What the hub streams: on the wire exactly a <see cref="StreamEvent"/> (<c>{id, data}</c>, <c>data</c> the event
/// JSON as a string, <c>null</c> in the start marker), but <c>id</c> is the client's id as UTF-8 (no string per
/// item) and <c>data</c> is written from the event's <see cref="KafkaEvent.Strings"/>, encoded once per event rather
/// than once per client. <see cref="HubJsonProtocol"/> writes it as one piece.
/// </summary>
/// <remarks>
/// A stream yields one instance, <see cref="Set"/> again for every item: SignalR writes each item (awaits its
/// <c>WriteAsync</c>) before it asks the stream for the next one.
/// </remarks>
[JsonConverter(typeof(HubEventJsonConverter))]
[MessagePackFormatter(typeof(HubEventMessagePackFormatter))]
internal sealed class HubEvent
{
    public HubEvent()
    {
    }

    public HubEvent(ReadOnlyMemory<byte> id, KafkaEvent? data) => Set(id, data);

    /// <summary>The id that resumes after this item, UTF-8.</summary>
    public ReadOnlyMemory<byte> Id { get; private set; }

    /// <summary>The event, or <c>null</c> for the start marker.</summary>
    public KafkaEvent? Data { get; private set; }

    public HubEvent Set(ReadOnlyMemory<byte> id, KafkaEvent? data)
    {
        Id = id;
        Data = data;
        return this;
    }
}
