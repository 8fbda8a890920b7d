using EventStreams.Server.Catalog;
using EventStreams.Server.Kafka;
using Prometheus;

namespace EventStreams.Server.Streaming;

/// <summary>Prometheus metrics, in a registry of this server's own (several servers may share a test process).</summary>
public sealed class StreamMetrics
{
    private readonly Gauge _connectedClients;
    private readonly Counter _connections;
    private readonly Counter _eventsSent;
    private readonly Counter _bytesSent;
    private readonly Counter _skipped;
    private readonly Counter _dropped;
    private readonly Gauge _lag;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, (Counter.Child Events, Counter.Child Bytes)> _sentByTransport = new(StringComparer.Ordinal);

    public StreamMetrics(StreamCatalog catalog, KafkaHealth kafka)
    {
        Registry = Metrics.NewCustomRegistry();
        var factory = Metrics.WithCustomRegistry(Registry);
        _connectedClients = factory.CreateGauge("eventstreams_connected_clients", "Clients connected, per requested stream.", "stream");
        _connections = factory.CreateCounter("eventstreams_connections_total", "Connections opened, per requested stream combination.", "streams");
        _eventsSent = factory.CreateCounter("eventstreams_events_sent_total", "Events written to clients.", "transport");
        _bytesSent = factory.CreateCounter("eventstreams_bytes_sent_total", "Bytes of events written to clients.", "transport");
        _skipped = factory.CreateCounter("eventstreams_skipped_messages_total", "Kafka messages skipped because their value is not a JSON object.", "topic");
        _dropped = factory.CreateCounter("eventstreams_clients_dropped_total", "Clients disconnected by the server.", "reason");
        _lag = factory.CreateGauge("eventstreams_kafka_lag", "Messages between the shared reader's position and the partition's end.", "topic", "partition");

        // Read from their owners at scrape time: the catalogue does not know about metrics.
        var reloadFailures = factory.CreateCounter("eventstreams_catalog_reload_failures_total", "Stream config reloads that failed (the last good catalogue was kept).");
        var catalogStreams = factory.CreateGauge("eventstreams_catalog_streams", "Streams (and aliases) in the current catalogue.");
        var reachable = factory.CreateGauge("eventstreams_kafka_reachable", "1 while Kafka answers the health probe, 0 during an outage.");
        var unreachableSeconds = factory.CreateGauge("eventstreams_kafka_unreachable_seconds", "How long the current Kafka outage has lasted (0 while reachable).");
        var outages = factory.CreateCounter("eventstreams_kafka_outages_total", "Kafka outages seen (transitions from reachable to unreachable).");
        Registry.AddBeforeCollectCallback(() =>
        {
            reachable.Set(kafka.IsReachable ? 1 : 0);
            unreachableSeconds.Set(kafka.UnreachableFor.TotalSeconds);
            outages.IncTo(kafka.Outages);
            reloadFailures.IncTo(catalog.ReloadFailures);
            catalogStreams.Set(catalog.IsLoaded ? catalog.Current.Streams.Count : 0);
        });
    }

    public CollectorRegistry Registry { get; }

    public void Connected(IReadOnlyList<string> streams)
    {
        _connections.WithLabels(string.Join(',', streams)).Inc();
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
        // Once per batch per client: keep the label lookups out of it.
        var (sent, sentBytes) = _sentByTransport.GetOrAdd(transport, t => (_eventsSent.WithLabels(t), _bytesSent.WithLabels(t)));
        sent.Inc(events);
        sentBytes.Inc(bytes);
    }

    public void SkippedMessage(string topic) => _skipped.WithLabels(topic).Inc();

    public void Dropped(string reason) => _dropped.WithLabels(reason).Inc();

    public void Lag(string topic, int partition, long lag) => _lag.WithLabels(topic, partition.ToString(System.Globalization.CultureInfo.InvariantCulture)).Set(lag);
}
