namespace EventStreams.Server.Kafka;

/// <summary>
/// The shared reader's settings. Configured as <c>Streaming:CacheMegabytesPerPartition</c> and <c>Streaming:ReaderIdleSeconds</c>
/// (bound and validated with the rest of that section by <c>Streaming/StreamingOptions</c>, copied here in <c>Hosting/</c>), so
/// that Kafka needs nothing from Streaming.
/// </summary>
internal sealed class PartitionCacheOptions
{
    public const int DefaultCacheMegabytesPerPartition = 32;
    public const int DefaultReaderIdleSeconds = 30;

    /// <summary>Recent events kept per partition for clients at the live edge, in MiB of encoded JSON.</summary>
    public int CacheMegabytesPerPartition { get; set; } = DefaultCacheMegabytesPerPartition;

    /// <summary>Seconds a shared partition reader keeps running after its last client leaves.</summary>
    public int ReaderIdleSeconds { get; set; } = DefaultReaderIdleSeconds;
}
