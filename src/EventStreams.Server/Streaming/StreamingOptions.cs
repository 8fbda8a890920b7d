using System.ComponentModel.DataAnnotations;
using EventStreams.Server.Streaming.EventIds;

namespace EventStreams.Server.Streaming;

/// <summary>The <c>Streaming</c> configuration section.</summary>
public sealed class StreamingOptions
{
    public const string Section = "Streaming";
    public const int DefaultHeartbeatSeconds = 15;
    public const int DefaultStalledClientSeconds = 30;
    public const int DefaultCacheMegabytesPerPartition = 32;
    public const int DefaultReaderIdleSeconds = 30;

    /// <summary>How event ids name positions: <c>timestamp</c> (works across mirrored clusters) or <c>offset</c> (exact).</summary>
    public IdFormat IdFormat { get; set; } = IdFormat.Timestamp;

    /// <summary>Seconds between SSE comment lines on a quiet stream; 0 turns heartbeats off.</summary>
    [Range(0, 3600)]
    public int HeartbeatSeconds { get; set; } = DefaultHeartbeatSeconds;

    /// <summary>A client whose socket accepts nothing for this long is disconnected.</summary>
    [Range(1, 3600)]
    public int StalledClientSeconds { get; set; } = DefaultStalledClientSeconds;

    /// <summary>Recent events kept per partition for clients at the live edge, in MiB of encoded JSON.</summary>
    [Range(1, 4096)]
    public int CacheMegabytesPerPartition { get; set; } = DefaultCacheMegabytesPerPartition;

    /// <summary>Seconds a shared partition reader keeps running after its last client leaves.</summary>
    [Range(0, 3600)]
    public int ReaderIdleSeconds { get; set; } = DefaultReaderIdleSeconds;

    /// <summary>Per-client-IP connection limit; 0 = unlimited.</summary>
    [Range(0, 100000)]
    public int MaxConnectionsPerClient { get; set; }

    /// <summary>Header that identifies a client for the connection limit.</summary>
    public string ClientIpHeader { get; set; } = "X-Client-IP";
}
