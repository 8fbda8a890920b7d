using System.Text.Json.Serialization;

namespace EventStreams.Server.Retention;

/// <summary>The answer of <c>GET /v2/retention/{streams}</c>: one entry per requested stream, in request order.</summary>
internal sealed record RetentionBody(IReadOnlyList<StreamRetention> Streams)
{
    /// <summary>With <c>?last=N</c>: where the last N events of all the streams' partitions begin.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public LastEventsStart? Last { get; init; }
}

/// <summary>
/// <c>start</c> is an offset-form Last-Event-ID (one element per partition of the streams) from which the stream gives
/// the last <c>events</c> events as of the answer (<c>requested</c>, or all there are when fewer), then every new one.
/// </summary>
internal sealed record LastEventsStart(int Requested, int Events, IReadOnlyList<LastEventsOffset> Start);

internal sealed record LastEventsOffset(string Topic, int Partition, long Offset);

/// <summary>A stream's partitions and the oldest retained event time among them (ms since the epoch, and ISO 8601 UTC).</summary>
internal sealed record StreamRetention(string Stream, long? OldestTimestamp, string? Oldest, IReadOnlyList<PartitionRetention> Partitions);

[JsonSerializable(typeof(RetentionBody))]
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
internal sealed partial class RetentionJsonContext : JsonSerializerContext;
