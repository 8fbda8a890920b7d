namespace EventStreams.Server.Demo;

/// <summary>
/// The streams the demo writes; each must also be in the catalogue (demo-streams.yaml) to receive events. The
/// validation error stream is written by the intake, from the browser events the demo posts to it.
/// </summary>
internal static class DemoStreams
{
    public const string RecentChange = "mediawiki.recentchange";
    public const string PageCreate = "mediawiki.page-create";
    public const string RevisionCreate = "mediawiki.revision-create";
    public const string ValidationError = "eventgate-analytics-external.error.validation";
    public const string TestEvent = "test.event";
    public const string SessionTick = "mediawiki.client.session_tick";

    public static readonly IReadOnlyList<string> All = [RecentChange, PageCreate, RevisionCreate, ValidationError, TestEvent, SessionTick];
}
