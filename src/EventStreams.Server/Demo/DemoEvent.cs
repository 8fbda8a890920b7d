namespace EventStreams.Server.Demo;

/// <summary>
/// One generated event: the stream it belongs to and its JSON value. <see cref="ViaIntake"/> events are posted to the
/// intake (validated there, like a browser's) instead of produced directly; some of them are invalid on purpose.
/// </summary>
internal sealed record DemoEvent(string Stream, byte[] Value, bool ViaIntake = false);
