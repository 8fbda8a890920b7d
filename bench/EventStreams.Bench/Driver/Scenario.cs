using EventStreams.Bench.Load;

namespace EventStreams.Bench.Driver;

internal enum ServerKind
{
    Ours,
    Baseline,
    Ceiling,

    /// <summary>Ours in upstream mode in front of ours reading Kafka (issue 9): the clients connect to the front.</summary>
    Upstream,
}

internal sealed record TopicSpec(string Name, int Partitions, int Index)
{
    public int[] Keys => [.. Enumerable.Range(0, Partitions).Select(p => (Index * Sources.BenchEvents.KeysPerTopic) + p)];
}

/// <summary>A client group over some topics (a stream per topic; the path names them all, and the filters in its query).</summary>
internal sealed record GroupSpec(string Name, int Count, ClientKind Kind, TopicSpec[] Topics, string? LastEventId = null, long Target = 0, ClientTransport Transport = ClientTransport.Sse, string[]? Filters = null, bool Gzip = false)
{
    public ClientGroup ToClientGroup() =>
        new(Name, "/v2/stream/" + string.Join(',', Topics.Select(t => t.Name)) + Query(), Count, Kind, [.. Topics.SelectMany(t => t.Keys)], LastEventId, Target, Transport, Filters, Gzip);

    private string Query() => Filters is { Length: > 0 } ? "?" + string.Join('&', Filters.Select(f => "filter=" + Uri.EscapeDataString(f))) : "";
}

internal sealed record Scenario(
    string Id,
    string Title,
    TopicSpec[] Topics,
    GroupSpec[] Groups,
    double RatePerTopic,
    double WarmupSeconds,
    double WindowSeconds,
    ServerKind[] Servers,
    bool IdlePhase = false,
    double[]? SaturationRates = null,
    int Fill = 0,
    bool WarmBacklog = false,
    int Repeats = 1,
    string? Pair = null,
    double PairTarget = 0)
{
    /// <summary>Events per second the clients should receive in total at <paramref name="rate"/> per topic (slow and stalled clients excluded).</summary>
    public double Offered(double rate) => Groups.Where(g => g.Kind == ClientKind.Normal).Sum(g => g.Count * g.Topics.Length * rate);

    public int Clients => Groups.Sum(g => g.Count);
}

internal sealed record SaturationStep(double Rate, double Offered, double Delivered, LatencySummary Latency, double ServerCpuSeconds, double LoadCpuSeconds, double BrokerCpuSeconds, double Seconds)
{
    /// <summary>Delivery falls behind when less than 95% of what was produced in the window reached the clients (latency is reported per step).</summary>
    public bool KeptUp => Delivered >= 0.95 * Offered;
}

internal sealed record Measurement(
    Scenario Scenario,
    ServerKind Server,
    string? Error,
    LoadResult? Load,
    double ServerCpuSeconds,
    double LoadCpuSeconds,
    double BrokerCpuSeconds,
    long RssBefore,
    long RssConnected,
    long PeakRss,
    IReadOnlyList<SaturationStep> Steps,
    LatencySummary? Joining = null,
    int Attempt = 1,
    double InnerCpuSeconds = 0)
{
    public double WindowSeconds => Load?.WindowSeconds ?? 0;

    public double Delivered => Load is { WindowSeconds: > 0 } l ? l.WindowEvents / l.WindowSeconds : 0;

    public double Offered => Scenario.Offered(Scenario.RatePerTopic);

    public double CpuPerMillion => Load is { WindowEvents: > 0 } l ? ServerCpuSeconds / (l.WindowEvents / 1e6) : double.NaN;

    /// <summary>Bytes of response body on the wire (compressed, for gzip clients) per delivered event.</summary>
    public double BytesPerEvent => Load is { WindowEvents: > 0 } l ? (double)l.WindowBytes / l.WindowEvents : double.NaN;

    public long Lost => Load?.Groups.Where(g => g.Kind is ClientKind.Normal or ClientKind.Slow or ClientKind.CatchUp).Sum(g => g.Gaps) ?? 0;

    public int Lagging => Load?.Groups.Where(g => g.Kind == ClientKind.Normal).Sum(g => g.Lagging) ?? 0;

    public int Failed => Load?.Groups.Sum(g => g.Failed) ?? 0;

    public bool KeptUp => Error is null && Load is not null && Lost == 0 && Lagging == 0 && Failed == 0 && Delivered >= 0.97 * Offered;

    public double IdleBytesPerConnection => RssConnected > 0 ? (RssConnected - RssBefore) / (double)Scenario.Clients : double.NaN;
}
