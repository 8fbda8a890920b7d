namespace EventStreams.Server.Api;

/// <summary>
/// What the web UI needs to know about this server beyond the public API (<c>GET /v2/ui/settings.json</c>): the
/// environment to show, the upstream in upstream mode, the transports it may offer, and whether the intake
/// (<c>POST /v1/events</c>, the "Send a test event" panel) is there.
/// </summary>
internal sealed record UiSettings(string? Environment, string? Upstream, IReadOnlyList<string> Transports, bool Intake)
{
    public const string Sse = "sse";
    public const string SignalR = "signalr";
}
