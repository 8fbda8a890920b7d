using System.Collections.Concurrent;
using System.Globalization;
using EventStreams.Server.Catalog;
using EventStreams.Server.Diagnostics;
using EventStreams.Server.Kafka;

namespace EventStreams.Server.Health;

/// <summary>
/// When the server ends running streams itself, whatever the transport: on shutdown, as soon as the drain begins (also the
/// ones stuck writing to a client that stopped reading; see <see cref="ShutdownDrain"/>), when Kafka has been unreachable for <c>Kafka:Health:OutageNoticeSeconds</c> with
/// <c>Kafka:Health:OutageNotice=Close</c> (so that clients reconnect, to another instance if this one's Kafka is gone),
/// and when a reload removed one of its streams. With the default <c>Comment</c> an outage only changes the heartbeats.
/// </summary>
public sealed partial class StreamTerminations : IDisposable
{
    private readonly KafkaHealth _kafka;
    private readonly StreamCatalog _catalog;
    private readonly ShutdownDrain _drain;
    private readonly ILogger<StreamTerminations> _logger;

    /// <summary>One source per catalogued stream that has had a client; bounded by the catalogue.</summary>
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _removed = new(StringComparer.Ordinal);

    public StreamTerminations(KafkaHealth kafka, StreamCatalog catalog, ShutdownDrain drain, ILogger<StreamTerminations> logger)
    {
        _kafka = kafka;
        _catalog = catalog;
        _drain = drain;
        _logger = logger;
        catalog.Changed += OnCatalogChanged;
    }

    /// <summary>Watches a stream of <paramref name="streams"/> (catalogued names; others are ignored). Dispose when the stream ends.</summary>
    public StreamWatch Watch(IEnumerable<string> streams)
    {
        var names = streams.Where(name => _catalog.TryGet(name, out _)).Distinct(StringComparer.Ordinal).ToList();
        var tokens = new List<CancellationToken>(names.Count + 2) { _drain.Draining };
        if (_kafka.NoticeMode == OutageNotice.Close)
        {
            tokens.Add(_kafka.OutageNotice);
        }

        tokens.AddRange(names.Select(name => _removed.GetOrAdd(name, static _ => new CancellationTokenSource()).Token));
        var linked = CancellationTokenSource.CreateLinkedTokenSource([.. tokens]);
        var watch = new StreamWatch(linked, () => Reason(names));
        if (names.Any(name => !_catalog.TryGet(name, out _)))
        {
            // Removed between the request's validation and now.
            linked.Cancel();
        }

        return watch;
    }

    /// <summary>
    /// What heartbeats say: during a Kafka outage past the notice time (<see cref="OutageNotice.Comment"/>)
    /// <c>kafka unreachable for N s</c>, which a client can show while its stream waits for Kafka; else null.
    /// </summary>
    public string? OutageNote => _kafka.NoticeMode == OutageNotice.Comment && _kafka.OutageNoticeDue
        ? string.Create(CultureInfo.InvariantCulture, $"kafka unreachable for {_kafka.UnreachableFor.TotalSeconds:0} s")
        : null;

    /// <summary>
    /// While the instance stops, what a stream ends with (a new one at once): SSE clients get a short <c>retry:</c> and come
    /// back through the load balancer, to another instance; null while it runs.
    /// </summary>
    public StreamEnding? ShutdownEnding() => _drain.IsDraining
        ? new StreamEnding(StreamEnding.ShutdownName, "The server is shutting down; reconnect with the last event id.", _drain.NextRetryMilliseconds())
        : null;

    public void Dispose() => _catalog.Changed -= OnCatalogChanged;

    private StreamEnding Reason(IReadOnlyList<string> names)
    {
        if (ShutdownEnding() is { } shutdown)
        {
            return shutdown;
        }

        var removed = names.Where(name => !_catalog.TryGet(name, out _)).ToList();
        if (removed.Count > 0)
        {
            return new StreamEnding(StreamEnding.StreamRemovedName, $"Stream {string.Join(',', removed)} is no longer served.");
        }

        return new StreamEnding(StreamEnding.KafkaUnavailableName, string.Create(CultureInfo.InvariantCulture, $"Kafka has been unreachable for {_kafka.UnreachableFor.TotalSeconds:0} s; reconnect with the last event id."));
    }

    private void OnCatalogChanged(StreamCatalogSnapshot snapshot)
    {
        foreach (var name in _removed.Keys)
        {
            if (!snapshot.Streams.ContainsKey(name) && _removed.TryRemove(name, out var source))
            {
                LogRemoved(_logger, name);
                source.Cancel();
            }
        }
    }

    [LoggerMessage(LogEventIds.StreamRemovedFromCatalog, LogLevel.Information, "Stream {Stream} was removed from the catalogue: ending its clients' streams")]
    private static partial void LogRemoved(ILogger logger, string stream);
}
