namespace EventStreams.Server.Health;

/// <summary>
/// Why the server ends a running stream: <c>name</c> and <c>message</c> of the <c>event: error</c> (or the hub error) its client
/// gets, and the <c>retry:</c> an SSE client is given to come back after (on shutdown).
/// </summary>
internal sealed record StreamEnding(string Name, string Message, int? RetryMilliseconds = null)
{
    public const string ShutdownName = "shutdown";
    public const string KafkaUnavailableName = "kafka_unavailable";
    public const string StreamRemovedName = "stream_removed";

    /// <summary>A shutdown ends SSE streams without an error: the client reconnects (to another instance) as after any close.</summary>
    public bool IsShutdown => Name == ShutdownName;
}
