namespace EventStreams.Bench.Load;

internal enum ClientKind
{
    /// <summary>Reads everything as fast as it arrives.</summary>
    Normal,

    /// <summary>Reads a small buffer, then pauses: slower than the stream.</summary>
    Slow,

    /// <summary>Reads the response headers, then nothing until the end of the scenario.</summary>
    Stalled,

    /// <summary>Resumes far back with a Last-Event-ID and measures the time to read <see cref="ClientGroup.Target"/> events.</summary>
    CatchUp,
}

/// <summary>How a client receives the events.</summary>
internal enum ClientTransport
{
    /// <summary>Server-Sent Events on a raw socket (<see cref="SseConnection"/>).</summary>
    Sse,

    /// <summary>The SignalR hub's <c>Stream</c> method, JSON protocol spoken directly over a WebSocket (<see cref="HubWireClient"/>).</summary>
    Hub,

    /// <summary>The same with the .NET SignalR client (<see cref="HubClient"/>): <c>run --hub-client dotnet</c>.</summary>
    HubDotNetClient,
}

/// <summary>
/// One kind of client: how many, which URL (with its query, e.g. <c>?filter=</c>), which sequence keys it should see.
/// Hub clients call <c>Stream</c> with the streams of <see cref="Path"/> and the <see cref="Filters"/>. SSE clients
/// with <see cref="Gzip"/> ask for <c>Accept-Encoding: gzip</c> and count the compressed bytes.
/// </summary>
internal sealed record ClientGroup(string Name, string Path, int Count, ClientKind Kind, int[] Keys, string? LastEventId = null, long Target = 0, ClientTransport Transport = ClientTransport.Sse, string[]? Filters = null, bool Gzip = false);

internal sealed record LoadSpec(int Port, ClientGroup[] Groups, int ConnectConcurrency = 100, int BufferBytes = 16384);

internal sealed record LatencySummary(long Count, double P50Ms, double P99Ms, double P999Ms, double MaxMs);

internal sealed record GroupResult(
    string Name,
    ClientKind Kind,
    int Clients,
    int Connected,
    int Failed,
    long Events,
    long Gaps,
    long Duplicates,
    int Lagging,
    int ClosedByServer,
    double FirstEventP50Ms,
    double FirstEventP99Ms,
    double CaughtUpSeconds);

internal sealed record LoadResult(double ConnectSeconds, double WindowSeconds, long WindowEvents, long WindowBytes, LatencySummary Latency, GroupResult[] Groups);
