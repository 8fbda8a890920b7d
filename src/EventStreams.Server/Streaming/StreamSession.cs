using EventStreams.Server.Diagnostics;
using EventStreams.Server.Kafka;
using System.Buffers;

namespace EventStreams.Server.Streaming;

/// <summary>
/// One client's stream, whatever the transport: owns its connection slot, subscription, filter and metrics, and hands
/// the transport only the events to deliver, each with the id that resumes after it. Transports only format.
/// Not thread-safe: one transport loop drives it. Open with <see cref="StreamSessions.OpenAsync"/>.
/// </summary>
public sealed class StreamSession : IDisposable
{
    private readonly Subscription _subscription;
    private readonly IDisposable? _slot;
    private readonly EventFilter? _filter;
    private readonly StreamMetrics _metrics;
    private readonly string _transport;
    private readonly List<(PartitionPosition Position, KafkaEvent Event)> _batch = [];
    private int _next;
    private int _delivered;
    private bool _disposed;

    internal StreamSession(StreamRequest request, Subscription subscription, IDisposable? slot, StreamMetrics metrics, string transport)
    {
        Request = request;
        _subscription = subscription;
        _slot = slot;
        _filter = request.Filter;
        _metrics = metrics;
        _transport = transport;
        metrics.Connected(request.Names);
    }

    public StreamRequest Request { get; }

    /// <summary>
    /// Waits for events (true) or until <paramref name="maxWait"/> passed with nothing read (false: time for a heartbeat).
    /// Read what arrived with <see cref="TryNext"/>; a read may yield no deliverable event (all filtered out).
    /// </summary>
    public async ValueTask<bool> ReadAsync(TimeSpan maxWait, CancellationToken cancellationToken)
    {
        _next = 0;
        return await _subscription.ReadAsync(_batch, maxWait, cancellationToken);
    }

    /// <summary>The next event to deliver from the last read; <see cref="WriteId"/> then writes the id that resumes after it.</summary>
    public bool TryNext(out KafkaEvent deliverable)
    {
        while (_next < _batch.Count)
        {
            var (position, e) = _batch[_next++];
            // A filtered-out event still moves the position, so the next id resumes after it.
            position.Delivered(e);
            if (_filter is null || _filter.Matches(e))
            {
                _delivered++;
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

    /// <summary>Counts what the transport sent since the last call (events handed out, bytes written).</summary>
    public int Sent(long bytes)
    {
        var events = _delivered;
        _metrics.Sent(_transport, events, bytes);
        _delivered = 0;
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
            _subscription.Dispose();
        }
        finally
        {
            _slot?.Dispose();
            _metrics.Disconnected(Request.Names);
        }
    }
}
