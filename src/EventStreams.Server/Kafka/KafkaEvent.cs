using EventStreams.Server.Transports.Compression;

namespace EventStreams.Server.Kafka;

/// <summary>
/// One Kafka message, encoded once for every client: <see cref="Json"/> is the message value as
/// one line of UTF-8 JSON with <c>meta.topic</c>, <c>meta.partition</c>, <c>meta.offset</c> (and <c>meta.key</c>) injected.
/// </summary>
internal sealed record KafkaEvent(string Topic, int Partition, long Offset, long Timestamp, byte[] Json)
{
    private EventStrings? _strings;
    private DeflateSegment? _sseData;
    private DeflateSegment? _ndjson;

    /// <summary>
    /// The event as the string SignalR sends, made by the first hub client that sends this event and shared by the
    /// rest (a race makes it twice at worst, with equal results).
    /// </summary>
    public EventStrings Strings => _strings ??= EventStrings.Create(Json);

    /// <summary>
    /// What follows the id in an SSE frame (<c>\ndata: {json}\n\n</c>), compressed once for every gzip client by the
    /// first one that sends this event (a race makes it twice at worst, with equal results).
    /// </summary>
    internal DeflateSegment SseDataDeflated => _sseData ??= DeflateSegment.Create("\ndata: "u8, Json, "\n\n"u8);

    /// <summary>The NDJSON line (<c>{json}\n</c>), compressed once for every gzip client, as <see cref="SseDataDeflated"/>.</summary>
    internal DeflateSegment NdjsonDeflated => _ndjson ??= DeflateSegment.Create(Json, "\n"u8, default);

    /// <summary>Equality of the message, not of the lazily made <see cref="Strings"/> and compressed segments.</summary>
    public bool Equals(KafkaEvent? other) =>
        other is not null && Topic == other.Topic && Partition == other.Partition && Offset == other.Offset && Timestamp == other.Timestamp && Json == other.Json;

    public override int GetHashCode() => HashCode.Combine(Topic, Partition, Offset, Timestamp, Json);
}
