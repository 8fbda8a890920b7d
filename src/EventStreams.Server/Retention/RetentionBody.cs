using System.Text.Json.Serialization;

namespace EventStreams.Server.Retention;

/// <summary>The answer of <c>GET /v2/retention/{streams}</c>: one entry per requested stream, in request order.</summary>
public sealed record RetentionBody(IReadOnlyList<StreamRetention> Streams);

/// <summary>A stream's partitions and the oldest retained event time among them (ms since the epoch, and ISO 8601 UTC).</summary>
public sealed record StreamRetention(string Stream, long? OldestTimestamp, string? Oldest, IReadOnlyList<PartitionRetention> Partitions);

[JsonSerializable(typeof(RetentionBody))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
internal sealed partial class RetentionJsonContext : JsonSerializerContext;
