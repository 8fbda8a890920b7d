namespace EventStreams.Server.Routes;

/// <summary>
/// Every route the server answers, spelled once: the folders that map, match, document or link one read it here. A leaf
/// (it uses no other folder). Reading routes answer GET and HEAD (<see cref="MapGetAndHead"/>), as WMF's services do:
/// monitors and crawlers probe with HEAD.
/// </summary>
internal static class ApiRoutes
{
    public const string Stream = "/v2/stream/{streams}";
    public const string StreamPrefix = "/v2/stream/";
    public const string Hub = "/v2/hub";
    public const string Retention = "/v2/retention/{streams}";
    public const string RetentionPrefix = "/v2/retention";
    public const string Schema = "/v2/schema/{stream}";
    public const string Intake = "/v1/events";
    public const string Ui = "/v2/ui";
    public const string UiSettings = Ui + "/settings.json";
    public const string Info = "/_info";
    public const string Doc = "/?doc";
    public const string DocFile = "/doc/{file}";
    public const string RecentChangeShortcut = "/rc";
    public const string Robots = "/robots.txt";
    public const string Metrics = "/metrics";
    public const string Liveness = "/healthz";
    public const string Readiness = "/readyz";

    public static readonly IReadOnlyList<string> GetAndHead = [HttpMethods.Get, HttpMethods.Head];

    public static RouteHandlerBuilder MapGetAndHead(this IEndpointRouteBuilder endpoints, string pattern, Delegate handler) =>
        endpoints.MapMethods(pattern, GetAndHead, handler);
}
