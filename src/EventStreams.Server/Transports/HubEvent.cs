using EventStreams.Server.Kafka;
using MessagePack;
using System.Text.Json.Serialization;

namespace EventStreams.Server.Transports;

/// <summary>
/// What the hub streams: on the wire exactly a <see cref="StreamEvent"/> (<c>{id, data}</c>, <c>data</c> the event
/// JSON as a string, <c>null</c> in the start marker), but <c>data</c> is written from the event's
/// <see cref="KafkaEvent.Strings"/>, encoded once per event rather than once per client.
/// </summary>
[JsonConverter(typeof(HubEventJsonConverter))]
[MessagePackFormatter(typeof(HubEventMessagePackFormatter))]
internal sealed class HubEvent(string id, KafkaEvent? data)
{
    public string Id { get; } = id;

    /// <summary>The event, or <c>null</c> for the start marker.</summary>
    public KafkaEvent? Data { get; } = data;
}
