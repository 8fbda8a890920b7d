using System.ComponentModel.DataAnnotations;

namespace EventStreams.Server.Retention;

/// <summary>The <c>Retention</c> configuration section: how long <c>GET /v2/retention/{streams}</c> answers are reused.</summary>
internal sealed class RetentionOptions
{
    public const string Section = "Retention";
    public const int DefaultCacheSeconds = 5;
    public const int DefaultMaxConcurrentQueries = 4;

    /// <summary>A partition's watermarks and oldest event time are asked of the broker at most once per this period.</summary>
    [Range(1, 3600)]
    public int CacheSeconds { get; set; } = DefaultCacheSeconds;

    /// <summary>Partitions asked about at once (each holds one consumer while its query runs).</summary>
    [Range(1, 64)]
    public int MaxConcurrentQueries { get; set; } = DefaultMaxConcurrentQueries;
}
