using System.Diagnostics;
using System.Globalization;

namespace EventStreams.Fleet;

/// <summary>
/// A client of the fleet that reconnects, through the balancer, with its last id whenever its stream ends, and checks
/// what it receives against the producer's numbering: per partition the next number it expects, so that it counts exactly
/// what it lost and what it got twice (a partition's events arrive in order) without keeping them.
/// </summary>
public abstract class FleetClient(string name, int partitions, SilenceWindow silence)
{
    private readonly long[] _next = new long[partitions];
    private long _lastEventAt;
    private long _longestSilence;
    private long _streamEndedAt;
    private long _longestReconnect;

    /// <summary>Also its key at the balancer (<see cref="ClientRoutes"/>).</summary>
    public string Name { get; } = name;

    /// <summary>Streams that started (SSE: 200 with the event stream; hub: the start marker).</summary>
    public int Connections { get; protected set; }

    /// <summary>Events received whose number had been skipped over (a gap).</summary>
    public long Gaps { get; private set; }

    public long Repeated { get; private set; }

    /// <summary>Answers a real client would give up on for good (an EventSource on a non-200 status, e.g. a proxy's 502).</summary>
    public int Fatal { get; protected set; }

    public string? LastId { get; protected set; }

    /// <summary>Why the last connection attempt or stream failed (for a test's message).</summary>
    public string? LastError { get; protected set; }

    /// <summary>The longest time between two events while <see cref="SilenceWindow"/> was open.</summary>
    public TimeSpan LongestSilence => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _longestSilence));

    /// <summary>
    /// The longest time from a stream's end to the first event on the next one (while <see cref="SilenceWindow"/> was open):
    /// what moving to another instance costs this client, apart from the events' own pace and any stall of a running stream.
    /// </summary>
    public TimeSpan LongestReconnect => Stopwatch.GetElapsedTime(0, Interlocked.Read(ref _longestReconnect));

    /// <summary>Events of <paramref name="partition"/> received in order so far.</summary>
    public long Received(int partition) => Interlocked.Read(ref _next[partition]);

    /// <summary>Lost: numbers never received, whether skipped over or not yet received at all.</summary>
    public long Lost(FleetProducer producer) => Gaps + Enumerable.Range(0, _next.Length).Sum(p => producer.Produced(p) - Received(p));

    public abstract Task RunAsync(CancellationToken cancellationToken);

    /// <summary>One event's JSON: <c>{"fleet_k":..,"fleet_seq":..,"meta":{..}}</c>.</summary>
    protected void OnEvent(string json)
    {
        var now = Stopwatch.GetTimestamp();
        var last = Interlocked.Exchange(ref _lastEventAt, now);
        if (last != 0 && silence.IsOpen && now - last > Interlocked.Read(ref _longestSilence))
        {
            Interlocked.Exchange(ref _longestSilence, now - last);
        }

        var ended = Interlocked.Exchange(ref _streamEndedAt, 0);
        if (ended != 0 && last != 0 && silence.IsOpen && now - ended > Interlocked.Read(ref _longestReconnect))
        {
            Interlocked.Exchange(ref _longestReconnect, now - ended);
        }

        var partition = (int)Field(json, "\"fleet_k\":");
        var seq = Field(json, "\"fleet_seq\":");
        var next = _next[partition];
        if (seq < next)
        {
            Repeated++;
            return;
        }

        Gaps += seq - next;
        Interlocked.Exchange(ref _next[partition], seq + 1);
    }

    /// <summary>The stream ended or failed: the client is about to reconnect.</summary>
    protected void OnStreamEnded() => Interlocked.CompareExchange(ref _streamEndedAt, Stopwatch.GetTimestamp(), 0);

    private static long Field(string json, string name)
    {
        var at = json.IndexOf(name, StringComparison.Ordinal) + name.Length;
        var end = at;
        while (end < json.Length && char.IsAsciiDigit(json[end]))
        {
            end++;
        }

        return long.Parse(json.AsSpan(at, end - at), CultureInfo.InvariantCulture);
    }
}
