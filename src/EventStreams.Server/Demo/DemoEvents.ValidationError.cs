namespace EventStreams.Server.Demo;

internal sealed partial class DemoEvents
{
    private const string ErrorSchema = "/error/2.1.0";
    private const string ErrorEmitter = "eventgate-analytics-external";

    /// <summary>An EventGate validation error: a browser's analytics event that failed its schema, kept as a JSON string.</summary>
    private DemoEvent ValidationError(bool canary)
    {
        var wiki = PickWiki(w => !w.IsWikidata);
        var at = _time.GetUtcNow();
        var pageUrl = wiki.PageUrl(Pick(wiki.Titles));

        // The rejected event is written first, with the same writer, and kept as text.
        _buffer.ResetWrittenCount();
        _writer.Reset(_buffer);
        var (stream, schema, message) = WriteRejectedEvent(wiki, at);
        _writer.Flush();
        var rawEvent = System.Text.Encoding.UTF8.GetString(_buffer.WrittenSpan);

        Begin(ErrorSchema);
        WriteMeta(DemoStreams.ValidationError, pageUrl, wiki.Domain, at, canary);
        _writer.WriteString("dt", IsoMillis(at));
        _writer.WriteString("emitter_id", ErrorEmitter);
        _writer.WriteString("message", message);
        _writer.WriteString("error_type", "validation");
        _writer.WriteString("raw_event", rawEvent);
        _writer.WriteString("errored_stream_name", stream);
        _writer.WriteString("errored_schema_uri", schema);
        return End(DemoStreams.ValidationError);
    }

    private (string Stream, string Schema, string Message) WriteRejectedEvent(DemoWiki wiki, DateTimeOffset at)
    {
        switch (_random.Next(6))
        {
            case 0:
                WriteRejectedHead("/analytics/session_tick/2.0.0", "mediawiki.client.session_tick", wiki, at);
                _writer.WriteString("tick", (++_sessionTick % 40).ToString(System.Globalization.CultureInfo.InvariantCulture));
                _writer.WriteEndObject();
                return ("mediawiki.client.session_tick", "/analytics/session_tick/2.0.0", "'.tick' should be integer");
            case 1:
                WriteRejectedHead("/analytics/legacy/searchsatisfaction/1.5.0", "eventlogging_SearchSatisfaction", wiki, at);
                WriteLegacyEvent("SearchSatisfaction", wiki, ("action", "hover"), ("searchSessionId", Uuid().Replace("-", "", StringComparison.Ordinal)[..20]));
                return ("eventlogging_SearchSatisfaction", "/analytics/legacy/searchsatisfaction/1.5.0",
                    "'.event.action' should be equal to one of the allowed values: [searchResultPage, click, visitPage, checkin, fulltext, ssclick, hover-on, hover-off, esclick]");
            case 2:
                WriteRejectedHead("/analytics/legacy/editattemptstep/2.1.0", "eventlogging_EditAttemptStep", wiki, at);
                WriteLegacyEvent("EditAttemptStep", wiki, ("action", "save"), ("editor_interface", "wikitext"), ("platform", "desktop"));
                return ("eventlogging_EditAttemptStep", "/analytics/legacy/editattemptstep/2.1.0",
                    "'.event.action' should be equal to one of the allowed values: [init, ready, loaded, firstChange, saveIntent, saveAttempt, saveSuccess, saveFailure, abort]; '.event.session_id' is a required property");
            case 3:
                WriteRejectedHead("/analytics/mediawiki/client/metrics_event/2.1.0", "analytics.mediawiki_client_metrics", wiki, at, dt: "yesterday");
                _writer.WriteString("name", "vector.toc.click");
                _writer.WriteString("page_namespace", "0");
                _writer.WriteEndObject();
                return ("analytics.mediawiki_client_metrics", "/analytics/mediawiki/client/metrics_event/2.1.0",
                    "'.dt' should match format \"date-time\"; '.page_namespace' should be integer");
            case 4:
                WriteRejectedHead("/analytics/mediawiki/web_ui_actions/1.0.0", "mediawiki.web_ui_actions", wiki, at);
                _writer.WriteString("click_target", "#p-lang-btn");
                _writer.WriteBoolean("is_anon", _random.Next(2) == 0);
                _writer.WriteEndObject();
                return ("mediawiki.web_ui_actions", "/analytics/mediawiki/web_ui_actions/1.0.0",
                    "'.action' is a required property; '' should NOT have additional properties: 'click_target'");
            default:
                WriteRejectedHead("/analytics/legacy/navigationtiming/1.6.0", "eventlogging_NavigationTiming", wiki, at);
                _writer.WriteString("schema", "NavigationTiming");
                _writer.WriteStartObject("event");
                _writer.WriteNumber("responseStart", -_random.Next(1, 400));
                _writer.WriteNumber("loadEventEnd", _random.Next(300, 9_000));
                _writer.WriteBoolean("isAnon", true);
                _writer.WriteEndObject();
                _writer.WriteEndObject();
                return ("eventlogging_NavigationTiming", "/analytics/legacy/navigationtiming/1.6.0", "'.event.responseStart' should be >= 0");
        }
    }

    private void WriteRejectedHead(string schema, string stream, DemoWiki wiki, DateTimeOffset at, string? dt = null)
    {
        _writer.WriteStartObject();
        _writer.WriteString("$schema", schema);
        _writer.WriteStartObject("meta");
        _writer.WriteString("stream", stream);
        _writer.WriteString("domain", wiki.Domain);
        _writer.WriteEndObject();
        _writer.WriteString("dt", dt ?? IsoMillis(at));
    }

    /// <summary>The EventLogging envelope of legacy schemas: the capsule fields around an <c>event</c> object.</summary>
    private void WriteLegacyEvent(string schemaName, DemoWiki wiki, params (string Name, string Value)[] fields)
    {
        _writer.WriteString("schema", schemaName);
        _writer.WriteString("webHost", wiki.Domain);
        _writer.WriteString("wiki", wiki.Database);
        _writer.WriteStartObject("event");
        foreach (var (name, value) in fields)
        {
            _writer.WriteString(name, value);
        }

        _writer.WriteEndObject();
        _writer.WriteEndObject();
    }
}
