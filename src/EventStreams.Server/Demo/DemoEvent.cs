namespace EventStreams.Server.Demo;

/// <summary>One generated event: the stream it belongs to and its JSON value as produced to Kafka.</summary>
internal sealed record DemoEvent(string Stream, byte[] Value);
