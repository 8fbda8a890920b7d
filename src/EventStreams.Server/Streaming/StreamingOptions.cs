using System.ComponentModel.DataAnnotations;
using EventStreams.Server.Kafka;
using EventStreams.Server.Streaming.EventIds;

namespace EventStreams.Server.Streaming;

/// <summary>The <c>Streaming</c> configuration section (the shared reader's two keys are handed to <c>Kafka/PartitionCacheOptions</c>).</summary>
internal sealed class StreamingOptions
{
    public const string Section = "Streaming";
    public const int DefaultHeartbeatSeconds = 15;
    public const int DefaultStalledClientSeconds = 30;
    public const int DefaultMaxCatchUpReaders = 8;
    public const int DefaultCatchUpQueueSeconds = 10;

    /// <summary>How event ids name positions: <c>timestamp</c> (works across mirrored clusters) or <c>offset</c> (exact).</summary>
    public IdFormat IdFormat { get; set; } = IdFormat.Timestamp;

    /// <summary>Seconds between SSE comment lines on a quiet stream; 0 turns heartbeats off.</summary>
    [Range(0, 3600)]
    public int HeartbeatSeconds { get; set; } = DefaultHeartbeatSeconds;

    /// <summary>A client whose socket accepts nothing for this long is disconnected.</summary>
    [Range(1, 3600)]
    public int StalledClientSeconds { get; set; } = DefaultStalledClientSeconds;

    /// <summary>
    /// Catch-up readers (one Kafka consumer and thread each, reading history behind the shared caches) running at once,
    /// for all clients together.
    /// </summary>
    [Range(1, 1024)]
    public int MaxCatchUpReaders { get; set; } = DefaultMaxCatchUpReaders;

    /// <summary>How long a request that starts in history waits for a catch-up reader before it gets <c>503 history_busy</c>.</summary>
    [Range(0, 300)]
    public int CatchUpQueueSeconds { get; set; } = DefaultCatchUpQueueSeconds;

    /// <summary>Per-client-IP connection limit; 0 = unlimited.</summary>
    [Range(0, 100000)]
    public int MaxConnectionsPerClient { get; set; }

    /// <summary>
    /// <c>Gzip</c> (default): SSE and NDJSON responses are gzip-compressed for clients whose <c>Accept-Encoding</c> allows
    /// it, each event compressed once for every client; <c>Off</c>: never compressed.
    /// </summary>
    public StreamCompression Compression { get; set; } = StreamCompression.Gzip;

    /// <summary>Header that identifies a client for the connection limit.</summary>
    public string ClientIpHeader { get; set; } = "X-Client-IP";

    /// <summary>Recent events kept per partition for clients at the live edge, in MiB of encoded JSON.</summary>
    [Range(1, 4096)]
    public int CacheMegabytesPerPartition { get; set; } = PartitionCacheOptions.DefaultCacheMegabytesPerPartition;

    /// <summary>Seconds a shared partition reader keeps running after its last client leaves.</summary>
    [Range(0, 3600)]
    public int ReaderIdleSeconds { get; set; } = PartitionCacheOptions.DefaultReaderIdleSeconds;
}

/// <summary>How stream responses are compressed (<c>Streaming:Compression</c>).</summary>
internal enum StreamCompression
{
    /// <summary>gzip for clients that accept it, every event compressed once and shared.</summary>
    Gzip,

    /// <summary>Never compressed.</summary>
    Off,
}
