namespace EventStreams.Server.Kafka;

/// <summary>
/// One Kafka message, encoded once for every client: <see cref="Json"/> is the message value as
/// one line of UTF-8 JSON with <c>meta.topic</c>, <c>meta.partition</c>, <c>meta.offset</c> (and <c>meta.key</c>) injected.
/// </summary>
public sealed record KafkaEvent(string Topic, int Partition, long Offset, long Timestamp, byte[] Json);
