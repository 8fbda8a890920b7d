using System.Buffers;
using EventStreams.Server.Diagnostics;
using EventStreams.Server.Health;
using EventStreams.Server.Kafka;

namespace EventStreams.Server.Streaming;

/// <summary>
/// One client's stream, whatever the transport, with everything that runs beside it: it owns its connection slot,
/// subscription, filter, metrics (events and their bytes, connections, streams the server ended) and the server's
/// termination of it (<see cref="IsStopping"/>, <see cref="Ending"/>, <see cref="EndedBy"/>), says what a heartbeat carries
/// (<see cref="HeartbeatNote"/>), and hands the transport only the events to deliver, each with the id that resumes
/// after it. Transports only format and write. Not thread-safe: one transport loop drives it. Open with
/// <see cref="StreamSessions.OpenAsync"/>, which also refuses streams while Kafka is unreachable.
/// </summary>
internal sealed partial class StreamSession : IDisposable
{
    private readonly Subscription _subscription;
    private readonly IDisposable? _slot;
    private readonly StreamMetrics _metrics;
    private readonly StreamTerminations _terminations;
    private readonly StreamWatch _watch;
    private readonly CancellationToken _clientGone;
    private readonly ILogger _logger;
    private readonly string _transport;
    private readonly List<(PartitionPosition Position, KafkaEvent Event)> _batch = [];
    private int _next;
    private int _delivered;
    private long _deliveredBytes;
    private bool _disposed;

    internal StreamSession(
        StreamRequest request,
        Subscription subscription,
        IDisposable? slot,
        StreamTerminations terminations,
        StreamMetrics metrics,
        string transport,
        ILogger logger,
        CancellationToken clientGone)
    {
        Request = request;
        _subscription = subscription;
        _slot = slot;
        _metrics = metrics;
        _terminations = terminations;
        _transport = transport;
        _logger = logger;
        _clientGone = clientGone;
        // Ends with the client, or when the server ends it (shutdown, long Kafka outage, stream removed): then the client
        // reconnects, elsewhere if need be, with its id. Both tokens are followed as they are, not linked into a source of
        // the stream's own (an idle connection's memory, issue 14 item 2).
        _watch = terminations.Watch(request.Names);
        metrics.Connected(request.Names);
    }

    public StreamRequest Request { get; }

    /// <summary>Whether the client left (the token the session was opened with was cancelled) or the server ended the stream.</summary>
    public bool IsStopping => _clientGone.IsCancellationRequested || _watch.Token.IsCancellationRequested;

    /// <summary>Cancelled when the server ends the stream: a transport gives up a write the client is not taking.</summary>
    public CancellationToken Ending => _watch.Token;

    /// <summary>Why the server ended the stream (the transport tells the client, unless it is a shutdown); null while it did not, or when the client left first.</summary>
    public StreamEnding? EndedBy => _clientGone.IsCancellationRequested ? null : _watch.Ending;

    /// <summary>What a heartbeat says besides "alive" (an outage past the notice time), or null.</summary>
    public string? HeartbeatNote => _terminations.OutageNote;

    /// <summary>
    /// Waits for events (true) or until <paramref name="maxWait"/> passed with nothing read (false: time for a heartbeat).
    /// Read what arrived with <see cref="TryNext"/>; a read may yield no deliverable event (all filtered out). Ends with
    /// an <see cref="OperationCanceledException"/> once <see cref="IsStopping"/>.
    /// </summary>
    public ValueTask<bool> ReadAsync(TimeSpan maxWait)
    {
        _next = 0;
        return _subscription.ReadAsync(_batch, maxWait, _clientGone, _watch.Token);
    }

    /// <summary>
    /// <see cref="ReadAsync"/> in two steps, for a transport that keeps no async frame of the subscription's while a stream
    /// idles: true when events were read (take them with <see cref="TryNext"/>), false when the caller should
    /// <see cref="WaitAsync"/>.
    /// </summary>
    public bool TryRead()
    {
        _next = 0;
        return _subscription.TryRead(_batch);
    }

    /// <summary>After <see cref="TryRead"/> found nothing: true when something may have arrived (read again), false when <paramref name="maxWait"/> passed first.</summary>
    public ValueTask<bool> WaitAsync(TimeSpan maxWait) => _subscription.WaitAsync(maxWait, _clientGone, _watch.Token);

    /// <summary>The next event to deliver from the last read; <see cref="WriteId"/> then writes the id that resumes after it.</summary>
    public bool TryNext(out KafkaEvent deliverable)
    {
        while (_next < _batch.Count)
        {
            var (position, e) = _batch[_next++];
            // A filtered-out event still moves the position, so the next id resumes after it.
            position.Delivered(e);
            if (Request.Filter is not { } filter || filter.Matches(e))
            {
                _delivered++;
                _deliveredBytes += e.Json.Length;
                deliverable = e;
                return true;
            }
        }

        _batch.Clear();
        deliverable = null!;
        return false;
    }

    /// <summary>Writes the id that resumes after everything handed out so far (before any event: the start).</summary>
    public void WriteId(IBufferWriter<byte> writer) => _subscription.WriteId(writer);

    /// <summary>
    /// Counts the events handed out since the last call as sent, with their bytes (the event JSON, the same measure for
    /// every transport); returns how many.
    /// </summary>
    public int Sent()
    {
        var events = _delivered;
        _metrics.Sent(_transport, events, _deliveredBytes);
        _delivered = 0;
        _deliveredBytes = 0;
        return events;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            if (EndedBy is { } ending)
            {
                _metrics.Dropped(ending.Name);
                if (!ending.IsShutdown)
                {
                    LogEnded(_logger, _transport, string.Join(',', Request.Names), ending.Name);
                }
            }

            _subscription.Dispose();
        }
        finally
        {
            _watch.Dispose();
            _slot?.Dispose();
            _metrics.Disconnected(Request.Names);
        }
    }

    [LoggerMessage(LogEventIds.StreamEndedByServer, LogLevel.Information, "{Transport} stream of {Streams} ended by the server: {Reason}")]
    private static partial void LogEnded(ILogger logger, string transport, string streams, string reason);
}
