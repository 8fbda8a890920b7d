using System.Diagnostics;

namespace EventStreams.Bench.Load;

/// <summary>The measurement window: events and bytes delivered to all clients between <see cref="Start"/> and <see cref="Stop"/>.</summary>
internal sealed class LoadWindow
{
    private long _events;
    private long _bytes;
    private long _started;
    private volatile bool _active;

    public bool Active => _active;

    public long Events => Interlocked.Read(ref _events);

    public long Bytes => Interlocked.Read(ref _bytes);

    public double Seconds { get; private set; }

    public void Add(long events, long bytes)
    {
        Interlocked.Add(ref _events, events);
        Interlocked.Add(ref _bytes, bytes);
    }

    public void Start()
    {
        LatencyHistogram.ResetAll();
        Interlocked.Exchange(ref _events, 0);
        Interlocked.Exchange(ref _bytes, 0);
        _started = Stopwatch.GetTimestamp();
        _active = true;
    }

    public void Stop()
    {
        _active = false;
        Seconds = Stopwatch.GetElapsedTime(_started).TotalSeconds;
    }
}
