using System.Threading.Channels;

namespace EventStreams.Server.Kafka;

/// <summary>
/// The events a <see cref="CatchUpReader"/> hands to its client, passed in batches: one hand-off (and at most one
/// wake-up of the client) per batch rather than per event. Reads event by event; one reader, one writer.
/// </summary>
internal sealed class CatchUpEvents(int capacityInBatches)
{
    private readonly Channel<(int Index, KafkaEvent Event)[]> _batches =
        Channel.CreateBounded<(int, KafkaEvent)[]>(new BoundedChannelOptions(capacityInBatches) { SingleReader = true, SingleWriter = true });

    private (int Index, KafkaEvent Event)[] _current = [];
    private int _next;

    public Task Completion => _batches.Reader.Completion;

    public bool TryRead(out (int Index, KafkaEvent Event) item)
    {
        if (_next == _current.Length)
        {
            if (!_batches.Reader.TryRead(out var batch))
            {
                item = default;
                return false;
            }

            _current = batch;
            _next = 0;
        }

        item = _current[_next++];
        return true;
    }

    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken) =>
        _next < _current.Length ? ValueTask.FromResult(true) : _batches.Reader.WaitToReadAsync(cancellationToken);

    /// <summary>Blocks the (dedicated) writing thread while the client is a full channel behind.</summary>
    public void Write((int Index, KafkaEvent Event)[] batch, CancellationToken cancellationToken) =>
        _batches.Writer.WriteAsync(batch, cancellationToken).AsTask().GetAwaiter().GetResult();

    public void Complete(Exception? failure) => _batches.Writer.TryComplete(failure);
}
