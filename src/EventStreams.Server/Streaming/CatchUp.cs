using EventStreams.Server.Kafka;

namespace EventStreams.Server.Streaming;

/// <summary>
/// The catch-up half of a <see cref="Subscription"/>: the partitions behind their caches' windows are read by one
/// <see cref="ICatchUpReader"/> of the subscription's own. It runs only with a <see cref="CatchUpPermits"/> permit (taken
/// before the subscription when it starts in history, else asked for in turn with every other client when a partition
/// falls behind) and stops, giving the permit back, as soon as no partition is behind. Not thread-safe: the
/// subscription's loop drives it, passing its positions (they grow when partitions are added).
/// </summary>
internal sealed class CatchUp(Func<ICatchUpReader> newReader, CatchUpPermits permits, IDisposable? permit) : IDisposable
{
    private ICatchUpReader? _reader;
    private IDisposable? _permit = permit;
    private Task<IDisposable>? _entering;
    private int _behind;

    /// <summary>A partition fell behind its cache's window: read it here from where it is.</summary>
    public void Behind(PartitionPosition position, IReadOnlyList<PartitionPosition> positions)
    {
        position.CatchingUp = true;
        _behind++;
        if (_reader is not null)
        {
            _reader.Add(position.Partition, position.Next, position.Index);
        }
        else
        {
            Start(positions);
        }
    }

    /// <summary>A partition reached its cache's window: it leaves the catch-up reader for the shared tail.</summary>
    public void Joined(PartitionPosition position)
    {
        position.CatchingUp = false;
        _behind--;
        _reader?.Remove(position.Partition);
    }

    /// <summary>Starts the reader for the partitions behind, once this client has a permit for one.</summary>
    public void Start(IReadOnlyList<PartitionPosition> positions)
    {
        if (_reader is not null || _behind == 0)
        {
            return;
        }

        if (_permit is null)
        {
            _entering ??= permits.EnterAsync();
            if (!_entering.IsCompletedSuccessfully)
            {
                return;
            }

            _permit = _entering.Result;
            _entering = null;
        }

        _reader = newReader();
        foreach (var position in positions)
        {
            if (position.CatchingUp)
            {
                _reader.Add(position.Partition, position.Next, position.Index);
            }
        }

        _reader.Start();
    }

    /// <summary>
    /// Adds what the reader handed over (at most <paramref name="perPartition"/> events per partition behind) to
    /// <paramref name="batch"/>; stops the reader once no partition is behind.
    /// </summary>
    public void Read(IReadOnlyList<PartitionPosition> positions, List<(PartitionPosition Position, KafkaEvent Event)> batch, int perPartition)
    {
        if (_reader is null)
        {
            return;
        }

        var budget = perPartition * Math.Max(1, _behind);
        while (budget-- > 0 && _reader.Events.TryRead(out var item))
        {
            var position = positions[item.Index];
            if (position.CatchingUp && item.Event.Offset >= position.Next)
            {
                position.Next = item.Event.Offset + 1;
                if (!position.Swallows(item.Event))
                {
                    batch.Add((position, item.Event));
                }
            }
        }

        if (_behind == 0)
        {
            Stop();
        }
    }

    /// <summary>Throws when the reader failed; called once everything it handed over was delivered.</summary>
    public void ThrowIfFailed()
    {
        if (_reader?.Events.Completion is { IsFaulted: true } failed)
        {
            throw new InvalidOperationException("Reading history from Kafka failed.", failed.Exception?.InnerException);
        }
    }

    /// <summary>What the subscription waits on besides its caches: the reader's next batch or the permit it waits for; null when neither.</summary>
    public Task? Wake(CancellationToken cancellationToken) =>
        _reader is not null ? _reader.Events.WaitToReadAsync(cancellationToken).AsTask() : _entering;

    public void Dispose()
    {
        Stop();
        if (_entering is not null)
        {
            permits.Abandon(_entering);
            _entering = null;
        }
    }

    private void Stop()
    {
        try
        {
            _reader?.Dispose();
        }
        finally
        {
            _reader = null;
            _permit?.Dispose();
            _permit = null;
        }
    }
}
