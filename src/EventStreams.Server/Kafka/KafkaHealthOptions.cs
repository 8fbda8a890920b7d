using System.ComponentModel.DataAnnotations;

namespace EventStreams.Server.Kafka;

/// <summary>What running streams are told once Kafka has been unreachable for <see cref="KafkaHealthOptions.OutageNoticeSeconds"/>.</summary>
internal enum OutageNotice
{
    /// <summary>Heartbeats become <c>: kafka unreachable for N s</c> comments; the stream stays open and resumes when Kafka is back.</summary>
    Comment,

    /// <summary><c>event: error</c> (<c>kafka_unavailable</c>) and a close, so that clients reconnect, elsewhere if they can.</summary>
    Close,
}

/// <summary>The <c>Kafka:Health</c> configuration section: how an outage is noticed and when clients are told.</summary>
internal sealed class KafkaHealthOptions
{
    public const string Section = "Kafka:Health";
    public const int DefaultProbeIntervalMilliseconds = 1000;
    public const int DefaultProbeTimeoutMilliseconds = 2000;
    public const int DefaultOutageNoticeSeconds = 20;
    public const int DefaultRetryAfterSeconds = 5;

    /// <summary>Time between two metadata requests to the cluster.</summary>
    [Range(100, 60_000)]
    public int ProbeIntervalMilliseconds { get; set; } = DefaultProbeIntervalMilliseconds;

    /// <summary>A metadata request not answered within this marks Kafka unreachable.</summary>
    [Range(100, 60_000)]
    public int ProbeTimeoutMilliseconds { get; set; } = DefaultProbeTimeoutMilliseconds;

    /// <summary>Running streams are told (see <see cref="OutageNotice"/>) once Kafka has been unreachable this long (0 = never).</summary>
    [Range(0, 86_400)]
    public int OutageNoticeSeconds { get; set; } = DefaultOutageNoticeSeconds;

    /// <summary>Comment (default: a browser's EventSource gives up for good on the 503 a reconnect during the outage gets) or Close.</summary>
    public OutageNotice OutageNotice { get; set; } = OutageNotice.Comment;

    /// <summary>The <c>Retry-After</c> of a <c>503 kafka_unavailable</c>.</summary>
    [Range(1, 3600)]
    public int RetryAfterSeconds { get; set; } = DefaultRetryAfterSeconds;
}
