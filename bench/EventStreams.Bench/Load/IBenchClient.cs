namespace EventStreams.Bench.Load;

/// <summary>One client of the load generator, whatever its transport: what it received and how it ended.</summary>
internal interface IBenchClient
{
    ClientGroup Group { get; }

    long Events { get; }

    long Gaps { get; }

    long Duplicates { get; }

    long ConnectStart { get; }

    long FirstEvent { get; }

    long CaughtUpAt { get; }

    bool Connected { get; }

    bool Failed { get; }

    bool ClosedByServer { get; }

    /// <summary>Completes when the stream has started (SSE: response headers; hub: the start marker) or the connection failed.</summary>
    Task HeadersReceived { get; }

    long LastSeq(int key);

    Task RunAsync(int port, int bufferBytes, Task releaseStalled, CancellationToken cancellationToken);

    static IBenchClient Create(ClientGroup group, LoadWindow window) => group.Transport switch
    {
        ClientTransport.Hub => new HubWireClient(group, window),
        ClientTransport.HubDotNetClient => new HubClient(group, window),
        _ => new SseConnection(group, window),
    };
}
