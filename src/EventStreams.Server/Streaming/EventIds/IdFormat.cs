namespace EventStreams.Server.Streaming.EventIds;

/// <summary>How event ids name positions (<c>Streaming:IdFormat</c>).</summary>
public enum IdFormat
{
    /// <summary><c>{"topic","partition","timestamp","skip"}</c>: works across mirrored clusters whose offsets differ.</summary>
    Timestamp,

    /// <summary><c>{"topic","partition","offset"}</c>: the exact next offset, on this cluster.</summary>
    Offset,
}
