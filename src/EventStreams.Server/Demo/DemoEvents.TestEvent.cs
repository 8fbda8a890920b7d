namespace EventStreams.Server.Demo;

internal sealed partial class DemoEvents
{
    /// <summary>Like WMF's <c>test.event</c>: a fixed test payload, handy for checking that a stream flows.</summary>
    private DemoEvent TestEvent(bool canary)
    {
        var at = _time.GetUtcNow();
        Begin("/test/event/1.1.0");
        WriteMeta(DemoStreams.TestEvent, "https://en.wikipedia.org/wiki/Special:BlankPage", "en.wikipedia.org", at, canary);
        _writer.WriteString("dt", IsoMillis(at));
        _writer.WriteString("test", "specific test value");
        _writer.WriteStartObject("test_map");
        _writer.WriteString("key1", "val1");
        _writer.WriteString("key2", "val2");
        _writer.WriteEndObject();
        return End(DemoStreams.TestEvent);
    }
}
