using EventStreams.Server.Health;

namespace EventStreams.Server.Streaming;

/// <summary>
/// A stream the server ends before it starts (the instance is stopping): not a refusal but the same ending a running stream
/// gets, <see cref="Ending"/>, which the transport formats (SSE: <c>:ok</c>, <c>retry:</c>, a clean close; the hub: its error).
/// </summary>
internal sealed class StreamEndedException(StreamEnding ending) : Exception(ending.Message)
{
    public StreamEnding Ending { get; } = ending;
}
