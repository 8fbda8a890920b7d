namespace EventStreams.Server.Kafka;

/// <summary>
/// One Kafka message, encoded once for every client: <see cref="Json"/> is the message value as
/// one line of UTF-8 JSON with <c>meta.topic</c>, <c>meta.partition</c>, <c>meta.offset</c> (and <c>meta.key</c>) injected.
/// </summary>
public sealed record KafkaEvent(string Topic, int Partition, long Offset, long Timestamp, byte[] Json)
{
    private EventStrings? _strings;

    /// <summary>
    /// The event as the string SignalR sends, made by the first hub client that sends this event and shared by the
    /// rest (a race makes it twice at worst, with equal results).
    /// </summary>
    public EventStrings Strings => _strings ??= EventStrings.Create(Json);

    /// <summary>Equality of the message, not of the lazily made <see cref="Strings"/>.</summary>
    public bool Equals(KafkaEvent? other) =>
        other is not null && Topic == other.Topic && Partition == other.Partition && Offset == other.Offset && Timestamp == other.Timestamp && Json == other.Json;

    public override int GetHashCode() => HashCode.Combine(Topic, Partition, Offset, Timestamp, Json);
}
