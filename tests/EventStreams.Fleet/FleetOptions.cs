namespace EventStreams.Fleet;

/// <summary>The shape of a <see cref="Fleet"/>: instances, partitions, the servers' id form and drain, the balancer's health checks.</summary>
public sealed record FleetOptions
{
    public int Instances { get; init; } = 3;

    public int Partitions { get; init; } = 3;

    /// <summary><c>Streaming:IdFormat</c> of every instance: <c>Timestamp</c> or <c>Offset</c>.</summary>
    public string IdFormat { get; init; } = "Timestamp";

    public int DrainSeconds { get; init; } = 2;

    public int RetryMilliseconds { get; init; } = 1000;

    /// <summary>How often the balancer asks each instance's <c>/readyz</c>; one failure takes it out of rotation.</summary>
    public TimeSpan HealthCheckInterval { get; init; } = TimeSpan.FromMilliseconds(250);

    /// <summary>
    /// Send a client that reconnects to another instance than its last (<see cref="ElsewherePolicy"/>, so that every cut moves
    /// it); false: YARP's plain round-robin.
    /// </summary>
    public bool MoveEachReconnect { get; init; } = true;

    /// <summary>
    /// Each instance the built server in a process of its own, stopped with SIGTERM (the <c>roll</c> benchmark); false: in
    /// this process, stopped as the host stops on SIGTERM (the tests).
    /// </summary>
    public bool Processes { get; init; }

    /// <summary>Extra server settings (<c>--Key=value</c>).</summary>
    public IReadOnlyList<string> ServerSettings { get; init; } = [];
}
