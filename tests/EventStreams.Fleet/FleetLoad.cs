namespace EventStreams.Fleet;

/// <summary>
/// The clients of a <see cref="FleetRun"/>: how many of each transport, the SSE clients' reconnection time before any
/// <c>retry:</c> (a browser's EventSource: about 3 s) and the hub clients' longest random wait before reconnecting.
/// </summary>
public sealed record FleetLoad(int SseClients, int HubClients, TimeSpan SseReconnectionTime, TimeSpan HubMaxReconnectDelay)
{
    public int Clients => SseClients + HubClients;
}
