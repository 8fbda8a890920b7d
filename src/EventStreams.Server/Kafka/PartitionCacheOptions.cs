using System.ComponentModel.DataAnnotations;

namespace EventStreams.Server.Kafka;

/// <summary>The shared reader's keys of the <c>Streaming</c> configuration section (documented with the others in the README).</summary>
public sealed class PartitionCacheOptions
{
    public const string Section = "Streaming";
    public const int DefaultCacheMegabytesPerPartition = 32;
    public const int DefaultReaderIdleSeconds = 30;

    /// <summary>Recent events kept per partition for clients at the live edge, in MiB of encoded JSON.</summary>
    [Range(1, 4096)]
    public int CacheMegabytesPerPartition { get; set; } = DefaultCacheMegabytesPerPartition;

    /// <summary>Seconds a shared partition reader keeps running after its last client leaves.</summary>
    [Range(0, 3600)]
    public int ReaderIdleSeconds { get; set; } = DefaultReaderIdleSeconds;
}
