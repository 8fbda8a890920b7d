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
    private readonly TimeProvider _time;
    private PartitionPosition[] _positions;
    // Grows with use (up to MaxEventsPerPartition): an idle client should not hold 2 KB of empty slots.
    private readonly List<KafkaEvent> _scratch = [];
    private Task[] _signals;
    private readonly Func<ICatchUpReader> _newCatchUp;
    private readonly CatchUpPermits _permits;
    // Made when first needed (a start in history, a partition falling behind): a client at the live edge never has one.
    private CatchUp? _catchUp;
    private EventIdWriter _ids;
    private readonly IdFormat _idFormat;
    // Partitions added to the followed topics while this runs: checked once at the start and whenever metadata says
    // a topic grew; joined off this thread (broker round trips), then appended, so ids carry them from then on.
    private readonly AddedPartitions? _added;
    private TaskCompletionSource _partitionsChanged = Completed();
    private CancellationTokenRegistration _partitionsChangedRegistration;
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
        TimeProvider time,
        AddedPartitions? added = null)
    {
        _release = release;
        _positions = [.. positions];
        _newCatchUp = newCatchUp;
        _permits = permits;
        _catchUp = permit is null ? null : new CatchUp(newCatchUp, permits, permit);
        _time = time;
        _signals = new Task[positions.Count + 2];
        _idFormat = idFormat;
        _ids = new EventIdWriter(_positions, idFormat);
        _added = added;
    }

    /// <summary>
    /// Fills <paramref name="batch"/> with the next events (per partition in order). Returns false when
    /// <paramref name="maxWait"/> passed with nothing to send (time for a heartbeat).
    /// </summary>
    [System.Runtime.CompilerServices.AsyncMethodBuilder(typeof(System.Runtime.CompilerServices.PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<bool> ReadAsync(List<(PartitionPosition Position, KafkaEvent Event)> batch, TimeSpan maxWait, CancellationToken cancellationToken)
    {
        while (true)
        {
            batch.Clear();
            JoinAddedPartitions();
            for (var i = 0; i < _positions.Length; i++)
            {
                // Taken before reading, so an append between the read and the wait still wakes us.
                _signals[i] = _positions[i].Cache.Changed;
            }

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

            if (moved)
            {
                // Everything read was swallowed (before a resume time that lies further on): read on, not wait for new events.
                continue;
            }

            _catchUp?.ThrowIfFailed();

            // Wait on as few tasks as possible: every WhenAny registers on each task and, once woken, removes itself
            // from the others by a linear search. A task shared by all clients (a static "never" placeholder used to
            // sit here) made that quadratic in the number of clients. So "partitions were added" is this subscription's
            // own task, completed through a registration on the shared token.
            var waitingOn = _positions.Length;
            if (_added is not null)
            {
                _signals[waitingOn++] = (Task?)_joining ?? _partitionsChanged.Task;
            }

            if (_catchUp?.Wake(cancellationToken) is { } catchUp)
            {
                _signals[waitingOn++] = catchUp;
            }

            var wake = waitingOn == 1 ? _signals[0] : Task.WhenAny(_signals.AsSpan(0, waitingOn));
            try
            {
                await wake.WaitAsync(maxWait, _time, cancellationToken);
            }
            catch (TimeoutException)
            {
                return false;
            }
        }
    }

    /// <summary>Writes the id that resumes every assigned partition after what has been delivered.</summary>
    public void WriteId(IBufferWriter<byte> writer) => _ids.Write(writer);

    public void Dispose()
    {
        try
        {
            _partitionsChangedRegistration.Dispose();
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
        }
        finally
        {
            foreach (var position in _positions)
            {
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
            _positions = [.. _positions, .. joined];
            _signals = new Task[_positions.Length + 2];
            _ids = new EventIdWriter(_positions, _idFormat);
        }

        if (_joining is not null || !_partitionsChanged.Task.IsCompleted)
        {
            return;
        }

        // Watch before looking, so that a topic growing in between is looked at again.
        _partitionsChangedRegistration.Dispose();
        _partitionsChanged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _partitionsChangedRegistration = _added.Added.Register(static changed => ((TaskCompletionSource)changed!).TrySetResult(), _partitionsChanged);
        if (_added.Missing(_positions) is { Count: > 0 } missing)
        {
            _joining = _added.JoinAsync(missing, _positions.Length);
        }
    }

    private static TaskCompletionSource Completed()
    {
        var completed = new TaskCompletionSource();
        completed.SetResult();
        return completed;
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

        _scratch.Clear();
        if (!position.Cache.TryRead(position.Next, _scratch, MaxEventsPerPartition))
        {
            (_catchUp ??= new CatchUp(_newCatchUp, _permits, permit: null)).Behind(position, _positions);
            return false;
        }

        foreach (var e in _scratch)
        {
            if (!position.Swallows(e))
            {
                batch.Add((position, e));
            }
        }

        if (_scratch.Count == 0)
        {
            return false;
        }

        position.Next = _scratch[^1].Offset + 1;
        return true;
    }
}
