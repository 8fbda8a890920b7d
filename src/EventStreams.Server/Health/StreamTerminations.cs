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
internal sealed partial class StreamTerminations : IDisposable
{
    private readonly KafkaHealth _kafka;
    private readonly StreamCatalog _catalog;
    private readonly ShutdownDrain _drain;
    private readonly SharedPartitionReader _reader;
    private readonly ILogger<StreamTerminations> _logger;

    /// <summary>
    /// One source per catalogued stream that has had a client, shared by all its running streams (bounded by the catalogue):
    /// cancelled, and replaced for later streams, when the stream is removed, the drain begins or an outage notice closes
    /// streams. A running stream holds no source of its own for this, nor a callback on it (either would cost every idle
    /// connection memory): after cancelling, the shared reader wakes every subscription, and each finds its token cancelled.
    /// </summary>
    private readonly ConcurrentDictionary<string, CancellationTokenSource> _ends = new(StringComparer.Ordinal);

    private readonly CancellationTokenRegistration _onDrain;
    private readonly Lock _noticeGate = new();
    private CancellationToken _noticeFollowed;

    public StreamTerminations(KafkaHealth kafka, StreamCatalog catalog, ShutdownDrain drain, SharedPartitionReader reader, ILogger<StreamTerminations> logger)
    {
        _kafka = kafka;
        _catalog = catalog;
        _drain = drain;
        _reader = reader;
        _logger = logger;
        catalog.Changed += OnCatalogChanged;
        _onDrain = drain.Draining.UnsafeRegister(static self => ((StreamTerminations)self!).EndAll(), this);
    }

    /// <summary>Watches a stream of <paramref name="streams"/> (catalogued names; others are ignored). Dispose when the stream ends.</summary>
    public StreamWatch Watch(IReadOnlyList<string> streams)
    {
        FollowOutageNotice();
        var names = streams.All(name => _catalog.TryGet(name, out _)) ? streams : [.. streams.Where(name => _catalog.TryGet(name, out _)).Distinct(StringComparer.Ordinal)];
        CancellationToken token = default;
        CancellationTokenSource? linked = null;
        for (var i = 0; i < names.Count; i++)
        {
            var end = _ends.GetOrAdd(names[i], static _ => new CancellationTokenSource()).Token;
            if (i == 0)
            {
                token = end;
            }
            else if (end != token)
            {
                // Several streams in one request (rare): a source of its own that follows theirs.
                var previous = linked;
                linked = CancellationTokenSource.CreateLinkedTokenSource(token, end);
                token = linked.Token;
                previous?.Dispose();
            }
        }

        // Checked after taking the shared sources: an ending that began before this either cancelled them or is seen here
        // (also a stream removed between the request's validation and now).
        var ended = _drain.IsDraining
            || (_kafka.NoticeMode == OutageNotice.Close && _kafka.OutageNotice.IsCancellationRequested)
            || names.Any(name => !_catalog.TryGet(name, out _));
        return new StreamWatch(this, names, linked, ended ? new CancellationToken(canceled: true) : token);
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

    public void Dispose()
    {
        _catalog.Changed -= OnCatalogChanged;
        _onDrain.Dispose();
    }

    internal StreamEnding Reason(IReadOnlyList<string> names)
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
        var ended = false;
        foreach (var name in _ends.Keys)
        {
            if (!snapshot.Streams.ContainsKey(name) && _ends.TryRemove(name, out var source))
            {
                LogRemoved(_logger, name);
                source.Cancel();
                ended = true;
            }
        }

        if (ended)
        {
            _reader.WakeAll();
        }
    }

    /// <summary>Ends every running stream (drain, outage notice); streams started later get fresh sources.</summary>
    private void EndAll()
    {
        foreach (var name in _ends.Keys)
        {
            if (_ends.TryRemove(name, out var source))
            {
                source.Cancel();
            }
        }

        _reader.WakeAll();
    }

    /// <summary>
    /// With <see cref="OutageNotice.Close"/>, ends every running stream when the current outage notice fires. Kafka's health
    /// makes a new notice token after each outage: the first stream watched after it follows the new one.
    /// </summary>
    private void FollowOutageNotice()
    {
        if (_kafka.NoticeMode != OutageNotice.Close)
        {
            return;
        }

        var notice = _kafka.OutageNotice;
        lock (_noticeGate)
        {
            if (notice == _noticeFollowed)
            {
                return;
            }

            _noticeFollowed = notice;
        }

        notice.UnsafeRegister(static self => ((StreamTerminations)self!).EndAll(), this);
    }

    [LoggerMessage(LogEventIds.StreamRemovedFromCatalog, LogLevel.Information, "Stream {Stream} was removed from the catalogue: ending its clients' streams")]
    private static partial void LogRemoved(ILogger logger, string stream);
}
