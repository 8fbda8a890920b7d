using EventStreams.Bench.Load;

namespace EventStreams.Bench.Driver;

/// <summary>The issue's scenarios (full run) and a ~30-second smoke set.</summary>
internal static class Scenarios
{
    public static readonly int[] BaselineLadder = [100, 250, 500, 1000];

    private static readonly ServerKind[] All = [ServerKind.Ours, ServerKind.Baseline, ServerKind.Ceiling];
    private static readonly TopicSpec S0 = new("bench.s0", 1, 0);
    private static readonly TopicSpec S1 = new("bench.s1", 1, 1);
    private static readonly TopicSpec S2 = new("bench.s2", 1, 2);
    private static readonly TopicSpec CatchUpTopic = new("bench.catchup", 64, 3);

    public static IReadOnlyList<Scenario> Full() =>
    [
        Clients("n1", 1, 200, window: 10),
        Clients("n100", 100, 200, window: 10),
        Clients("n1000", 1000, 200, window: 15) with { Repeats = 2 },
        new("n10000", "10,000 clients × 10 events/s (after an idle phase: memory per idle connection)", [S0],
            [new("clients", 10_000, ClientKind.Normal, [S0])], 10, 5, 20, [ServerKind.Ours, ServerKind.Ceiling], IdlePhase: true, Repeats: 2),
        new("saturation", "Saturation: 1,000 clients, rate raised until delivery falls behind", [S0],
            [new("clients", 1000, ClientKind.Normal, [S0])], 0, 4, 8, All, SaturationRates: [200, 400, 600, 800, 1000, 1250, 1500]),
        Mixed(window: 45),
        CatchUp(200_000),
        Upstream(1),
        Upstream(100),
        Upstream(1000),
        .. HubVsSse(1000, 200),
        .. FilteredVsUnfiltered(1000, 200),
        .. GzipVsPlain(1000, 200),
    ];

    /// <summary>Scenarios run only when <c>--only</c> names them (or their pair): smaller sizes of the full run's pairs.</summary>
    public static IReadOnlyList<Scenario> Extra() =>
    [
        // Issue 14 item 1: the base of n10000's load-induced p99 (p99 at 10,000 minus p99 at 200 clients, same rate).
        new("n200x10", "200 clients × 10 events/s (the base of n10000's load-induced p99)", [S0],
            [new("clients", 200, ClientKind.Normal, [S0])], 10, 5, 20, [ServerKind.Ours, ServerKind.Ceiling]),
        // Issue 14 item 2: only the idle phase of n10000 (memory per idle connection), then a short light window.
        new("idle10000", "10,000 idle clients: memory per idle connection (then 1 event/s)", [S0],
            [new("clients", 10_000, ClientKind.Normal, [S0])], 1, 1, 3, [ServerKind.Ours, ServerKind.Ceiling], IdlePhase: true, Repeats: 2),
        // Issue 14 item 3: catch-up on a server that had read the backlog already (its caches hold it, as on a server
        // that was running while the events were produced): the resume path alone, without the topic's first read.
        CatchUp(200_000, [ServerKind.Ours, ServerKind.Ceiling], warm: true),
        .. HubVsSse(100, 200),
        .. HubVsSse(300, 50),
        .. HubVsSse(1000, 20),
        .. FilteredVsUnfiltered(100, 200),
        .. FilteredVsUnfiltered(300, 200),
        .. FilteredVsUnfiltered(1000, 50),
        .. GzipVsPlain(100, 200),
        .. GzipVsPlain(1000, 5),
        .. GzipVsPlain(1000, 20),
        .. GzipVsPlain(1000, 50),
    ];

    /// <summary>
    /// Issue 14 item 7: the same SSE clients × events/s uncompressed, then all asking for gzip (each event compressed once
    /// on the server, inflated by every load client); the report gives the ratios of CPU per delivered event (target ≤
    /// 1.2) and of bytes on the wire per event (target ≤ 0.5). Pair id <c>gzip</c> (1,000 clients × 200 events/s) or
    /// <c>gzip{N}x{rate}</c>; scenario ids <c>{pair}-plain</c> and <c>{pair}-gzip</c>.
    /// </summary>
    public static Scenario[] GzipVsPlain(int clients, int rate)
    {
        var pair = clients == 1000 && rate == 200 ? "gzip" : $"gzip{clients}x{rate}";
        return
        [
            Paired($"{pair}-plain", pair, 1.2, rate, $"{clients:N0} uncompressed SSE clients × {rate} events/s", new("plain", clients, ClientKind.Normal, [S0])),
            Paired($"{pair}-gzip", pair, 1.2, rate, $"{clients:N0} gzip SSE clients × {rate} events/s", new("gzip", clients, ClientKind.Normal, [S0], Gzip: true)),
        ];
    }

    /// <summary>
    /// Issue 7 item 7: the same clients × events/s over SSE, then over the SignalR hub (JSON protocol); the report
    /// gives the ratio of our server's CPU per delivered event (target ≤ 1.5). Pair id <c>hub</c> (1,000 clients ×
    /// 200 events/s, the issue's size) or <c>hub{N}x{rate}</c>; scenario ids <c>{pair}-sse</c> and <c>{pair}-hub</c>.
    /// </summary>
    public static Scenario[] HubVsSse(int clients, int rate)
    {
        var pair = clients == 1000 && rate == 200 ? "hub" : $"hub{clients}x{rate}";
        return
        [
            Paired($"{pair}-sse", pair, 1.5, rate, $"{clients:N0} SSE clients × {rate} events/s", new("sse", clients, ClientKind.Normal, [S0])),
            Paired($"{pair}-hub", pair, 1.5, rate, $"{clients:N0} hub clients × {rate} events/s", new("hub", clients, ClientKind.Normal, [S0], Transport: ClientTransport.Hub)),
        ];
    }

    /// <summary>
    /// Issue 7 item 7: the same SSE clients × events/s unfiltered, then all with one shared <c>?filter=</c> that every
    /// event passes (so both deliver the same events and the sequence check still counts losses; the filter's whole
    /// cost is in the second run); the report gives the ratio of CPU per delivered event (target ≤ 1.2). Pair id
    /// <c>filter</c> (1,000 clients × 200 events/s) or <c>filter{N}x{rate}</c>; scenario ids <c>{pair}-none</c> and
    /// <c>{pair}-shared</c>.
    /// </summary>
    public static Scenario[] FilteredVsUnfiltered(int clients, int rate)
    {
        var pair = clients == 1000 && rate == 200 ? "filter" : $"filter{clients}x{rate}";
        return
        [
            Paired($"{pair}-none", pair, 1.2, rate, $"{clients:N0} unfiltered SSE clients × {rate} events/s", new("unfiltered", clients, ClientKind.Normal, [S0])),
            Paired($"{pair}-shared", pair, 1.2, rate, $"{clients:N0} SSE clients × {rate} events/s sharing ?filter=meta.domain!=canary", new("filtered", clients, ClientKind.Normal, [S0], Filters: ["meta.domain!=canary"])),
        ];
    }

    /// <summary>
    /// Issue 9: the same clients direct and through a server in upstream mode (added latency, CPU per event); 1 and 100
    /// clients show what the forwarder itself adds when the two cores are not saturated.
    /// </summary>
    public static Scenario Upstream(int clients) =>
        new(clients == 1000 ? "upstream" : $"upstream{clients}", $"Upstream mode: {clients:N0} client{(clients == 1 ? "" : "s")} × 20 events/s, direct vs through ours in upstream mode in front of ours", [S0],
            [new("clients", clients, ClientKind.Normal, [S0])], 20, 3, 10, [ServerKind.Ours, ServerKind.Upstream]);

    public static IReadOnlyList<Scenario> Smoke() =>
    [
        new("smoke", "Smoke: 10 clients × 50 events/s", [S0], [new("clients", 10, ClientKind.Normal, [S0])], 50, 1, 2, All),
        CatchUp(20_000),
    ];

    public static Scenario BaselineAt(int clients) =>
        new($"ladder{clients}", $"Baseline ladder: {clients:N0} clients × 10 events/s", [S0],
            [new("clients", clients, ClientKind.Normal, [S0])], 10, 3, 10, [ServerKind.Baseline]);

    private static Scenario Clients(string id, int clients, double rate, double window) =>
        new(id, $"{clients:N0} client{(clients == 1 ? "" : "s")} × {rate:N0} events/s", [S0], [new("clients", clients, ClientKind.Normal, [S0])], rate, 3, window, All);

    private static Scenario Paired(string id, string pair, double target, int rate, string title, GroupSpec clients) =>
        new(id, title, [S0], [clients], rate, 3, 10, [ServerKind.Ours], Pair: pair, PairTarget: target);

    private static Scenario Mixed(double window) =>
        new("mixed", "Mixed: 300 clients on 3 stream combinations, 5 slow and 100 stalled clients, 100 events/s per stream", [S0, S1, S2],
        [
            new("s0", 100, ClientKind.Normal, [S0]),
            new("s0+s1", 100, ClientKind.Normal, [S0, S1]),
            new("s0+s1+s2", 100, ClientKind.Normal, [S0, S1, S2]),
            new("slow", 5, ClientKind.Slow, [S0, S1, S2]),
            new("stalled", 100, ClientKind.Stalled, [S0, S1, S2]),
        ], 100, 3, window, All);

    private static Scenario CatchUp(int events, ServerKind[]? servers = null, bool warm = false)
    {
        var perPartition = events / CatchUpTopic.Partitions;
        var lastEventId = "[" + string.Join(',', Enumerable.Range(0, CatchUpTopic.Partitions)
            .Select(p => $"{{\"topic\":\"{CatchUpTopic.Name}\",\"partition\":{p},\"offset\":0}}")) + "]";
        return new(warm ? "catchupwarm" : "catchup", $"Catch-up: one client resumes {perPartition * CatchUpTopic.Partitions:N0} events back ({CatchUpTopic.Partitions} partitions){(warm ? ", the backlog read once before" : "")}", [CatchUpTopic],
            [new("resumer", 1, ClientKind.CatchUp, [CatchUpTopic], lastEventId, perPartition * CatchUpTopic.Partitions)], 0, 0, 0, servers ?? All,
            Fill: perPartition * CatchUpTopic.Partitions, WarmBacklog: warm);
    }
}
