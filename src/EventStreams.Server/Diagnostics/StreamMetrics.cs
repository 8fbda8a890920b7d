using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Options;
using Prometheus;

namespace EventStreams.Server.Diagnostics;

/// <summary>
/// Prometheus metrics, in a registry of this server's own (several servers may share a test process). Every label's
/// values are bounded: streams and topics come from the catalogue (requests naming others are refused before they
/// count), and stream combinations are sorted and capped at <see cref="MetricsOptions.MaxStreamCombinations"/>.
/// </summary>
internal sealed class StreamMetrics : IReaderMetrics
{
    /// <summary>The label of every combination past the cap.</summary>
    public const string OtherCombination = "_other";

    private readonly Gauge _connectedClients;
    private readonly Counter _connections;
    private readonly Counter _eventsSent;
    private readonly Counter _bytesSent;
    private readonly Counter _skipped;
    private readonly Counter _dropped;
    private readonly Gauge _lag;
    private readonly int _maxCombinations;
    private readonly ConcurrentDictionary<string, Counter.Child> _combinations = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, (Counter.Child Events, Counter.Child Bytes)> _sentByTransport = new(StringComparer.Ordinal);

    /// <summary>
    /// <paramref name="kafka"/> and <paramref name="catalog"/> are read at scrape time (the Kafka probe and the catalogue
    /// do not know about metrics); without them (upstream mode, benchmark probes) their series do not exist.
    /// </summary>
    public StreamMetrics(IOptions<MetricsOptions>? options = null, Func<KafkaReadings>? kafka = null, Func<CatalogReadings>? catalog = null)
    {
        _maxCombinations = (options?.Value ?? new MetricsOptions()).MaxStreamCombinations;
        Registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(Registry);
        // The reference service's names and labels, so that existing dashboards keep working.
        _connectedClients = factory.CreateGauge("eventstreams_connected_clients", "Clients connected, per requested stream.", "stream");
        _connections = factory.CreateCounter("eventstreams_client_connections_total", "Connections opened, per requested stream combination (sorted; past the cap: _other).", "streams");
        _eventsSent = factory.CreateCounter("eventstreams_events_sent_total", "Events written to clients.", "transport");
        _bytesSent = factory.CreateCounter("eventstreams_bytes_sent_total", "Bytes of events written to clients.", "transport");
        _skipped = factory.CreateCounter("eventstreams_skipped_messages_total", "Kafka messages skipped because their value is not a JSON object.", "topic");
        _dropped = factory.CreateCounter("eventstreams_clients_dropped_total", "Clients disconnected by the server, per reason.", "reason");
        _lag = factory.CreateGauge("eventstreams_kafka_lag", "Messages between the shared reader's position and the partition's end.", "topic", "partition");

        // Read from their owners at scrape time: the catalogue and the Kafka probe do not know about metrics. A server
        // without them (upstream mode) has none of their series, rather than zeros that read as an outage.
        if (kafka is not null)
        {
            var reachable = factory.CreateGauge("eventstreams_kafka_reachable", "1 while Kafka answers the health probe, 0 during an outage.");
            var unreachableSeconds = factory.CreateGauge("eventstreams_kafka_unreachable_seconds", "How long the current Kafka outage has lasted (0 while reachable).");
            var outages = factory.CreateCounter("eventstreams_kafka_outages_total", "Kafka outages seen (transitions from reachable to unreachable).");
            Registry.AddBeforeCollectCallback(() =>
            {
                var readings = kafka();
                reachable.Set(readings.IsReachable ? 1 : 0);
                unreachableSeconds.Set(readings.UnreachableFor.TotalSeconds);
                outages.IncTo(readings.Outages);
            });
        }

        if (catalog is not null)
        {
            var reloadFailures = factory.CreateCounter("eventstreams_catalog_reload_failures_total", "Stream config reloads that failed (the last good catalogue was kept).");
            var catalogStreams = factory.CreateGauge("eventstreams_catalog_streams", "Streams (and aliases) in the current catalogue.");
            Registry.AddBeforeCollectCallback(() =>
            {
                var readings = catalog();
                reloadFailures.IncTo(readings.ReloadFailures);
                catalogStreams.Set(readings.Streams);
            });
        }
    }

    public CollectorRegistry Registry { get; }

    public void Connected(IReadOnlyList<string> streams)
    {
        Combination(streams).Inc();
        foreach (var stream in streams)
        {
            _connectedClients.WithLabels(stream).Inc();
        }
    }

    public void Disconnected(IReadOnlyList<string> streams)
    {
        foreach (var stream in streams)
        {
            _connectedClients.WithLabels(stream).Dec();
        }
    }

    public void Sent(string transport, int events, long bytes)
    {
        // Once per batch per client (per event for the hub): keep the label lookups, and a closure allocated per call, out of it.
        var (sent, sentBytes) = _sentByTransport.GetOrAdd(transport, static (t, self) => (self._eventsSent.WithLabels(t), self._bytesSent.WithLabels(t)), this);
        sent.Inc(events);
        sentBytes.Inc(bytes);
    }

    public void SkippedMessage(string topic) => _skipped.WithLabels(topic).Inc();

    public void Dropped(string reason) => _dropped.WithLabels(reason).Inc();

    public void Lag(string topic, int partition, long lag) => _lag.WithLabels(topic, partition.ToString(CultureInfo.InvariantCulture)).Set(lag);

    /// <summary>The same series whatever order the streams were named in; past the cap, one shared series.</summary>
    private Counter.Child Combination(IReadOnlyList<string> streams)
    {
        var key = streams.Count == 1 ? streams[0] : string.Join(',', streams.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
        if (_combinations.TryGetValue(key, out var child))
        {
            return child;
        }

        if (_combinations.Count >= _maxCombinations)
        {
            key = OtherCombination;
        }

        return _combinations.GetOrAdd(key, k => _connections.WithLabels(k));
    }
}

/// <summary>What the Kafka health probe says at scrape time.</summary>
internal readonly record struct KafkaReadings(bool IsReachable, TimeSpan UnreachableFor, long Outages);

/// <summary>What the catalogue says at scrape time.</summary>
internal readonly record struct CatalogReadings(long ReloadFailures, int Streams);
