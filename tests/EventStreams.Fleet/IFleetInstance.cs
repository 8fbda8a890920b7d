namespace EventStreams.Fleet;

/// <summary>One server instance of a <see cref="Fleet"/>: in this process, or the built server as a process of its own.</summary>
internal interface IFleetInstance : IAsyncDisposable
{
    int Port { get; }

    /// <summary>The CPU time the instance has used (a process's own; zero in this process, where it cannot be told apart).</summary>
    TimeSpan ProcessorTime { get; }

    /// <summary>The instance's process (this one's when it runs here).</summary>
    int ProcessId { get; }

    /// <summary>Stops as SIGTERM stops a pod: unready, streams told to come back, the drain, then exit.</summary>
    Task StopAsync(TimeSpan timeout);
}
