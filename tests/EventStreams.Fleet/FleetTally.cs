using System.Globalization;

namespace EventStreams.Fleet;

/// <summary>
/// What a <see cref="FleetRun"/>'s clients received, against what was produced: lost and repeated events, streams started,
/// reconnects and how many of them landed on another instance, and each client's longest silence (while the window was open).
/// </summary>
public sealed record FleetTally(
    int Clients,
    long Produced,
    long Lost,
    long Repeated,
    int Fatal,
    int Streams,
    int Reconnects,
    int Moves,
    int ClientsOnSeveralInstances,
    TimeSpan SilenceP50,
    TimeSpan SilenceP99,
    TimeSpan SilenceMax,
    TimeSpan ReconnectP50,
    TimeSpan ReconnectP99,
    TimeSpan ReconnectMax)
{
    public static FleetTally Of(IReadOnlyList<FleetClient> clients, FleetProducer producer, ClientRoutes routes)
    {
        var served = clients.Select(c => routes.Served(c.Name)).ToList();
        var silences = clients.Select(c => c.LongestSilence).Order().ToList();
        var reconnects = clients.Select(c => c.LongestReconnect).Order().ToList();
        return new FleetTally(
            clients.Count,
            producer.Total,
            clients.Sum(c => c.Lost(producer)),
            clients.Sum(c => c.Repeated),
            clients.Sum(c => c.Fatal),
            clients.Sum(c => c.Connections),
            served.Sum(s => Math.Max(0, s.Count - 1)),
            served.Sum(s => s.Zip(s.Skip(1)).Count(pair => pair.First != pair.Second)),
            served.Count(s => s.Distinct().Count() > 1),
            Percentile(silences, 0.50),
            Percentile(silences, 0.99),
            silences.Count > 0 ? silences[^1] : TimeSpan.Zero,
            Percentile(reconnects, 0.50),
            Percentile(reconnects, 0.99),
            reconnects.Count > 0 ? reconnects[^1] : TimeSpan.Zero);
    }

    public override string ToString() => string.Create(
        CultureInfo.InvariantCulture,
        $"{Clients} clients, {Produced} events produced, each client: lost {Lost}, repeated {Repeated} (all clients together); {Fatal} fatal answers; " +
        $"{Streams} streams started, {Reconnects} reconnects of which {Moves} landed on another instance; {ClientsOnSeveralInstances} clients served by more than one instance; " +
        $"longest silence per client p50 {SilenceP50.TotalMilliseconds:0} ms, p99 {SilenceP99.TotalMilliseconds:0} ms, max {SilenceMax.TotalMilliseconds:0} ms; " +
        $"longest reconnect (stream end to the next event) per client p50 {ReconnectP50.TotalMilliseconds:0} ms, p99 {ReconnectP99.TotalMilliseconds:0} ms, max {ReconnectMax.TotalMilliseconds:0} ms");

    private static TimeSpan Percentile(List<TimeSpan> sorted, double q) =>
        sorted.Count == 0 ? TimeSpan.Zero : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];
}
