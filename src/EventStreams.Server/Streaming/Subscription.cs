using System.Buffers;
using EventStreams.Server.Kafka;
using EventStreams.Server.Streaming.EventIds;

namespace EventStreams.Server.Streaming;

/// <summary>
/// One client's stream: a position per assigned topic-partition. Reads from the shared caches while it is
/// inside their window and hands a partition to its <see cref="CatchUp"/> while it is behind them. Not thread-safe:
/// one transport loop drives it.
/// </summary>
internal sealed class Subscription : IDisposable
{
    private const int MaxEventsPerPartition = 256;

    private readonly Action<PartitionCache> _release;
    private PartitionPosition[] _positions;
    // Used only within one synchronous read, so per thread rather than per client: an idle client holds none of it, and a
    // client that once read a long batch does not keep its 2 KB of slots.
    [ThreadStatic]
    private static List<KafkaEvent>? _scratch;
    // What ReadAsync waits on, one for the whole stream: its caches, its catch-up reader and added partitions signal it.
    private readonly Wakeup _wakeup;
    // Made when first needed (a catch-up reader, a join): what a task completing calls to wake the stream.
    private Action? _signal;
    private readonly Func<ICatchUpReader> _newCatchUp;
    private readonly CatchUpPermits _permits;
    // Made when first needed (a start in history, a partition falling behind): a client at the live edge never has one.
    private CatchUp? _catchUp;
    // Made at the first id written (an event sent): a stream that has sent nothing yet holds none (56 bytes less per idle stream).
    private EventIdWriter? _ids;
    private readonly IdFormat _idFormat;
    // Partitions added to the followed topics while this runs: checked once at the start and whenever metadata says
    // a topic grew; joined off this thread (broker round trips), then appended, so ids carry them from then on.
    private readonly AddedPartitions? _added;
    // The PartitionsAdded token of the last look (none before the first read, which looks for partitions the start positions
    // lack): cancelled means look again. Not registered on: the shared reader wakes every subscription when it is cancelled
    // (SharedPartitionReader.WakeAll), so an idle stream holds no callback for it (issue 14 item 2).
    private CancellationToken _partitionsLookedAt;
    private Task<PartitionPosition[]>? _joining;

    /// <param name="release">Gives a cache back to the shared reader when the subscription ends.</param>
    /// <param name="permit">The catch-up permit taken before the subscription (a start in history), or null.</param>
    internal Subscription(
        IReadOnlyList<PartitionPosition> positions,
        IdFormat idFormat,
        Action<PartitionCache> release,
        Func<ICatchUpReader> newCatchUp,
        CatchUpPermits permits,
        IDisposable? permit,
        WakeupTimer timer,
        AddedPartitions? added = null)
    {
        _release = release;
        _positions = [.. positions];
        _newCatchUp = newCatchUp;
        _permits = permits;
        _catchUp = permit is null ? null : new CatchUp(newCatchUp, permits, permit);
        _wakeup = new Wakeup(timer);
        foreach (var position in _positions)
        {
            position.Cache.Watch(_wakeup);
        }

        _idFormat = idFormat;
        _added = added;
    }

    /// <summary>
    /// Fills <paramref name="batch"/> with the next events (per partition in order). Returns false when
    /// <paramref name="maxWait"/> passed with nothing to send (time for a heartbeat). Ends with an
    /// <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> or <paramref name="ending"/> is cancelled.
    /// </summary>
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> ReadAsync(List<(PartitionPosition Position, KafkaEvent Event)> batch, TimeSpan maxWait, CancellationToken cancellationToken, CancellationToken ending = default)
    {
        while (!TryRead(batch))
        {
            if (!await WaitAsync(maxWait, cancellationToken, ending))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// <see cref="ReadAsync"/> in two steps, for a caller that keeps no async frame for the wait (an idle stream's memory,
    /// issue 14 item 2): fills <paramref name="batch"/> with what can be read now (true), or prepares the wait (false).
    /// Throws when a catch-up read failed.
    /// </summary>
    public bool TryRead(List<(PartitionPosition Position, KafkaEvent Event)> batch)
    {
        while (true)
        {
            batch.Clear();
            // Before reading, so that an append between the read and the wait still wakes us.
            _wakeup.Reset();
            JoinAddedPartitions();
            _catchUp?.Start(_positions);
            _catchUp?.Read(_positions, batch, MaxEventsPerPartition);
            var moved = false;
            foreach (var position in _positions)
            {
                moved |= ReadCache(position, batch);
            }

            if (batch.Count > 0)
            {
                return true;
            }

            if (!moved)
            {
                _catchUp?.ThrowIfFailed();
                return false;
            }

            // Everything read was swallowed (before a resume time that lies further on): read on, not wait for new events.
        }
    }

    /// <summary>
    /// After <see cref="TryRead"/> found nothing: true when something may have arrived (read again), false when
    /// <paramref name="maxWait"/> passed first. Throws <see cref="OperationCanceledException"/> once either token is cancelled.
    /// </summary>
    public ValueTask<bool> WaitAsync(TimeSpan maxWait, CancellationToken cancellationToken, CancellationToken ending = default)
    {
        if (_catchUp?.Wake(cancellationToken) is { } catchUp)
        {
            // Only while catching up: the live edge waits on its caches' signals alone.
            catchUp.GetAwaiter().UnsafeOnCompleted(_signal ??= _wakeup.Signal);
        }

        return _wakeup.WaitAsync(maxWait, cancellationToken, ending);
    }

    /// <summary>Writes the id that resumes every assigned partition after what has been delivered.</summary>
    public void WriteId(IBufferWriter<byte> writer) => (_ids ??= new EventIdWriter(_positions, _idFormat)).Write(writer);

    public void Dispose()
    {
        try
        {
            _joining?.ContinueWith(
                joined =>
                {
                    foreach (var position in joined.IsCompletedSuccessfully ? joined.Result : [])
                    {
                        _release(position.Cache);
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
            _catchUp?.Dispose();
            _wakeup.Dispose();
        }
        finally
        {
            foreach (var position in _positions)
            {
                position.Cache.Unwatch(_wakeup);
                _release(position.Cache);
            }
        }
    }

    /// <summary>
    /// Appends the partitions a finished join found, then, when metadata changed since the last look, starts joining
    /// the followed partitions this subscription lacks. A failed join ends the stream: its id resumes them from their start.
    /// </summary>
    private void JoinAddedPartitions()
    {
        if (_added is null)
        {
            return;
        }

        if (_joining is { IsCompleted: true } joining)
        {
            _joining = null;
            var joined = joining.GetAwaiter().GetResult();
            foreach (var position in joined)
            {
                position.Cache.Watch(_wakeup);
            }

            _positions = [.. _positions, .. joined];
            _ids = null;
        }

        if (_joining is not null || (_partitionsLookedAt.CanBeCanceled && !_partitionsLookedAt.IsCancellationRequested))
        {
            return;
        }

        // The token before the look, so that a topic growing in between is looked at again.
        _partitionsLookedAt = _added.Added;
        if (_added.Missing(_positions) is { Count: > 0 } missing)
        {
            _joining = _added.JoinAsync(missing, _positions.Length);
            _joining.GetAwaiter().UnsafeOnCompleted(_signal ??= _wakeup.Signal);
        }
    }

    /// <summary>Reads <paramref name="position"/>'s next events from its cache into <paramref name="batch"/>; true when the position moved.</summary>
    private bool ReadCache(PartitionPosition position, List<(PartitionPosition, KafkaEvent)> batch)
    {
        if (position.CatchingUp)
        {
            if (position.Next < position.Cache.CompleteFrom)
            {
                return false;
            }

            // Caught up with the shared window: leave the private reader and join the shared tail.
            _catchUp!.Joined(position);
        }

        var scratch = _scratch ??= [];
        scratch.Clear();
        if (!position.Cache.TryRead(position.Next, scratch, MaxEventsPerPartition))
        {
            (_catchUp ??= new CatchUp(_newCatchUp, _permits, permit: null)).Behind(position, _positions);
            return false;
        }

        foreach (var e in scratch)
        {
            if (!position.Swallows(e))
            {
                batch.Add((position, e));
            }
        }

        if (scratch.Count == 0)
        {
            return false;
        }

        position.Next = scratch[^1].Offset + 1;
        return true;
    }
}
