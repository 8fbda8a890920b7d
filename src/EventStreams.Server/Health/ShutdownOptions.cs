using System.ComponentModel.DataAnnotations;

namespace EventStreams.Server.Health;

/// <summary>The <c>Shutdown</c> configuration section: how an instance that is told to stop hands its clients to the others.</summary>
internal sealed class ShutdownOptions
{
    public const string Section = "Shutdown";
    public const int DefaultDrainSeconds = 5;
    public const int DefaultRetryMilliseconds = 1000;

    /// <summary>
    /// How long a stopping instance keeps listening after it went unready and ended its streams: a load balancer that still
    /// sends it requests in that time gets answers that send clients elsewhere (<c>/readyz</c> 503, streams told to come
    /// back) rather than refused connections, which a proxy turns into <c>502</c>s that a browser's EventSource gives up on.
    /// 0 = stop as soon as the streams ended.
    /// </summary>
    [Range(0, 300)]
    public int DrainSeconds { get; set; } = DefaultDrainSeconds;

    /// <summary>
    /// SSE clients of a stopping instance get <c>retry:</c> a random time up to this before the clean close, so that they
    /// reconnect (through the load balancer, to another instance) at once but not all in the same millisecond.
    /// </summary>
    [Range(0, 60_000)]
    public int RetryMilliseconds { get; set; } = DefaultRetryMilliseconds;
}
