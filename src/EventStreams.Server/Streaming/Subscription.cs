using System.Buffers;
using EventStreams.Server.Kafka;
using EventStreams.Server.Streaming.EventIds;

namespace EventStreams.Server.Streaming;

/// <summary>
/// One client's stream: a position per assigned topic-partition. Reads from the shared caches while it is
/// inside their window and from its own <see cref="CatchUpReader"/> while it is behind them. Not thread-safe:
/// one transport loop drives it.
/// </summary>
public sealed class Subscription : IDisposable
{
    private const int MaxEventsPerPartition = 256;

    private readonly SharedPartitionReader _reader;
    private readonly Func<CatchUpReader> _newCatchUp;
    private readonly TimeProvider _time;
    private PartitionPosition[] _positions;
    // Grows with use (up to MaxEventsPerPartition): an idle client should not hold 2 KB of empty slots.
    private readonly List<KafkaEvent> _scratch = [];
    private Task[] _signals;
    private readonly CatchUpPermits _permits;
    private CatchUpReader? _catchUp;
    private int _catchingUp;
    // A catch-up reader runs only with a permit: taken before the subscription when it starts in history, or asked
    // for (in turn with every other client) when a partition falls behind its cache's window.
    private IDisposable? _permit;
    private Task<IDisposable>? _entering;
    private EventIdWriter _ids;
    private readonly IdFormat _idFormat;
    // Partitions added to the followed topics while this runs: checked once at the start and whenever metadata says
    // a topic grew; joined off this thread (broker round trips), then appended, so ids carry them from then on.
    private readonly AddedPartitions? _added;
    private TaskCompletionSource _partitionsChanged = Completed();
    private CancellationTokenRegistration _partitionsChangedRegistration;
    private Task<PartitionPosition[]>? _joining;

    internal Subscription(
        SharedPartitionReader reader,
        IReadOnlyList<PartitionPosition> positions,
        IdFormat idFormat,
        Func<CatchUpReader> newCatchUp,
        CatchUpPermits permits,
        IDisposable? permit,
        TimeProvider time,
        AddedPartitions? added = null)
    {
        _permits = permits;
        _permit = permit;
        _reader = reader;
        _positions = [.. positions];
        _newCatchUp = newCatchUp;
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

            StartCatchUp();
            ReadCatchUp(batch);
            foreach (var position in _positions)
            {
                ReadCache(position, batch);
            }

            if (batch.Count > 0)
            {
                return true;
            }

            if (_catchUp?.Events.Completion is { IsFaulted: true } failed)
            {
                throw new InvalidOperationException("Reading history from Kafka failed.", failed.Exception?.InnerException);
            }

            // Wait on as few tasks as possible: every WhenAny registers on each task and, once woken, removes itself
            // from the others by a linear search. A task shared by all clients (a static "never" placeholder used to
            // sit here) made that quadratic in the number of clients. So "partitions were added" is this subscription's
            // own task, completed through a registration on the shared token.
            var waitingOn = _positions.Length;
            if (_added is not null)
            {
                _signals[waitingOn++] = (Task?)_joining ?? _partitionsChanged.Task;
            }

            if (_catchUp is not null)
            {
                _signals[waitingOn++] = _catchUp.Events.WaitToReadAsync(cancellationToken).AsTask();
            }
            else if (_entering is not null)
            {
                _signals[waitingOn++] = _entering;
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
                        _reader.Release(position.Cache);
                    }
                },
                CancellationToken.None,
                TaskContinuationOptions.ExecuteSynchronously,
                TaskScheduler.Default);
            StopCatchUp();
            if (_entering is not null)
            {
                _permits.Abandon(_entering);
                _entering = null;
            }
        }
        finally
        {
            foreach (var position in _positions)
            {
                _reader.Release(position.Cache);
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

    private void ReadCache(PartitionPosition position, List<(PartitionPosition, KafkaEvent)> batch)
    {
        if (position.CatchingUp)
        {
            if (position.Next < position.Cache.CompleteFrom)
            {
                return;
            }

            // Caught up with the shared window: leave the private reader and join the shared tail.
            position.CatchingUp = false;
            _catchingUp--;
            _catchUp?.Remove(position.Partition);
        }

        _scratch.Clear();
        if (!position.Cache.TryRead(position.Next, _scratch, MaxEventsPerPartition))
        {
            position.CatchingUp = true;
            _catchingUp++;
            if (_catchUp is not null)
            {
                _catchUp.Add(position.Partition, position.Next, position.Index);
            }
            else
            {
                StartCatchUp();
            }

            return;
        }

        foreach (var e in _scratch)
        {
            if (!position.Swallows(e))
            {
                batch.Add((position, e));
            }
        }

        if (_scratch.Count > 0)
        {
            position.Next = _scratch[^1].Offset + 1;
        }
    }

    private void ReadCatchUp(List<(PartitionPosition, KafkaEvent)> batch)
    {
        if (_catchUp is null)
        {
            return;
        }

        var budget = MaxEventsPerPartition * Math.Max(1, _catchingUp);
        while (budget-- > 0 && _catchUp.Events.TryRead(out var item))
        {
            var position = _positions[item.Index];
            if (position.CatchingUp && item.Event.Offset >= position.Next)
            {
                position.Next = item.Event.Offset + 1;
                if (!position.Swallows(item.Event))
                {
                    batch.Add((position, item.Event));
                }
            }
        }

        if (_catchingUp == 0)
        {
            StopCatchUp();
        }
    }

    /// <summary>Starts the catch-up reader for the partitions behind their caches, once this client has a permit for one.</summary>
    private void StartCatchUp()
    {
        if (_catchUp is not null || _catchingUp == 0)
        {
            return;
        }

        if (_permit is null)
        {
            _entering ??= _permits.EnterAsync();
            if (!_entering.IsCompletedSuccessfully)
            {
                return;
            }

            _permit = _entering.Result;
            _entering = null;
        }

        _catchUp = _newCatchUp();
        foreach (var position in _positions)
        {
            if (position.CatchingUp)
            {
                _catchUp.Add(position.Partition, position.Next, position.Index);
            }
        }

        _catchUp.Start();
    }

    private void StopCatchUp()
    {
        try
        {
            _catchUp?.Dispose();
        }
        finally
        {
            _catchUp = null;
            _permit?.Dispose();
            _permit = null;
        }
    }
}
