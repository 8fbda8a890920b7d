namespace EventStreams.Server.Demo;

internal sealed partial class DemoEvents
{
    private const string SessionTickSchema = "/analytics/session_tick/2.0.0";

    /// <summary>
    /// What a browser sends to the analytics intake: a session tick, and an event that fails validation in one of the
    /// ways real instrumentation does. Both go through the intake, so the validation errors on
    /// <c>eventgate-analytics-external.error.validation</c> are real ones.
    /// </summary>
    private void BrowserEvents(List<DemoEvent> batch, bool canary)
    {
        var wiki = PickWiki(w => !w.IsWikidata);
        var at = _time.GetUtcNow();
        if (!canary)
        {
            batch.Add(SessionTick(wiki, at));
        }

        batch.Add(RejectedEvent(wiki, at, canary));
    }

    private DemoEvent SessionTick(DemoWiki wiki, DateTimeOffset at)
    {
        WriteBrowserHead(SessionTickSchema, DemoStreams.SessionTick, wiki, at, canary: false);
        _writer.WriteNumber("tick", ++_sessionTick % 40);
        return End(DemoStreams.SessionTick, viaIntake: true);
    }

    private DemoEvent RejectedEvent(DemoWiki wiki, DateTimeOffset at, bool canary)
    {
        var tick = ++_sessionTick % 40;
        var stream = DemoStreams.SessionTick;
        switch (_random.Next(7))
        {
            case 0:
                // type: a number sent as a string
                WriteBrowserHead(SessionTickSchema, DemoStreams.SessionTick, wiki, at, canary);
                _writer.WriteString("tick", tick.ToString(System.Globalization.CultureInfo.InvariantCulture));
                break;
            case 1:
                // required: the field was renamed in the client but not in the schema
                WriteBrowserHead(SessionTickSchema, DemoStreams.SessionTick, wiki, at, canary);
                _writer.WriteNumber("tick_count", tick);
                break;
            case 2:
                // format: a client clock formatted by hand
                WriteBrowserHead(SessionTickSchema, DemoStreams.SessionTick, wiki, at, canary, dt: at.UtcDateTime.ToString("ddd, dd MMM yyyy HH:mm:ss 'GMT'", System.Globalization.CultureInfo.InvariantCulture));
                _writer.WriteNumber("tick", tick);
                break;
            case 3:
                // minimum: an off-by-one on session start
                WriteBrowserHead(SessionTickSchema, DemoStreams.SessionTick, wiki, at, canary);
                _writer.WriteNumber("tick", -1);
                break;
            case 4:
                // an undeclared stream: a legacy EventLogging schema that was never migrated
                stream = "eventlogging_SearchSatisfaction";
                WriteBrowserHead("/analytics/legacy/searchsatisfaction/1.5.0", stream, wiki, at, canary);
                _writer.WriteString("schema", "SearchSatisfaction");
                _writer.WriteStartObject("event");
                _writer.WriteString("action", "hover");
                _writer.WriteString("searchSessionId", Uuid().Replace("-", "", StringComparison.Ordinal)[..20]);
                _writer.WriteEndObject();
                break;
            case 5:
                // schema title mismatch: the wrong schema for the stream
                WriteBrowserHead("/test/event/1.1.0", DemoStreams.SessionTick, wiki, at, canary);
                _writer.WriteString("test", "tick");
                break;
            default:
                // unresolvable $schema: a version that was never published
                WriteBrowserHead("/analytics/session_tick/2.1.0", DemoStreams.SessionTick, wiki, at, canary);
                _writer.WriteNumber("tick", tick);
                break;
        }

        return End(stream, viaIntake: true);
    }

    /// <summary>What the Event Platform client sets: <c>$schema</c>, <c>meta.stream</c>, <c>meta.domain</c>, <c>dt</c>; the intake adds <c>meta.id</c> and <c>meta.dt</c>.</summary>
    private void WriteBrowserHead(string schema, string stream, DemoWiki wiki, DateTimeOffset at, bool canary, string? dt = null)
    {
        Begin(schema);
        _writer.WriteStartObject("meta");
        _writer.WriteString("stream", stream);
        _writer.WriteString("domain", canary ? "canary" : wiki.Domain);
        _writer.WriteString("uri", wiki.PageUrl(Pick(wiki.Titles)));
        _writer.WriteEndObject();
        _writer.WriteString("dt", dt ?? IsoMillis(at));
    }
}
