using System.Threading.Tasks.Sources;

namespace EventStreams.Server.Kafka;

/// <summary>
/// What one reader of the caches (a client's subscription) waits on between two reads, the same object for every wait:
/// the caches it watches signal it when they publish events (<see cref="PartitionCache.Watch"/>), and so may anything else
/// it waits for; a wait also ends at its deadline (a heartbeat is due) or when its token is cancelled. At 10,000 clients
/// every event wakes every one of them, so a wake costs no allocation, no task combinator and no timer operation: a wait
/// with a deadline queues the wakeup on the shared <see cref="WakeupTimer"/> only when it is not queued already, and when
/// its entry comes due before the deadline (later waits moved it) it queues itself again for what is left. One waiter at
/// a time; <see cref="Signal"/> from any thread.
/// </summary>
internal sealed class Wakeup(WakeupTimer timer) : IValueTaskSource<bool>, IDisposable
{
    private const int Idle = 0;
    private const int Signalled = 1;
    private const int Waiting = 2;
    private const long NoDeadline = long.MaxValue;

    private ManualResetValueTaskSourceCore<bool> _core = new() { RunContinuationsAsynchronously = true };
    private int _state;
    // _deadline, _queued and _disposed are guarded by this object's own monitor rather than a lock object of its own (40
    // bytes per idle stream): the wakeup is internal and locked nowhere else.
    private long _deadline = NoDeadline;
    private bool _queued;
    private bool _disposed;
    private CancellationToken _cancellation;
    private CancellationTokenRegistration _cancellationRegistration;
    private CancellationToken _ending;

    /// <summary>Forgets earlier signals. Call before looking for work, so that a signal after the look ends the next wait at once.</summary>
    public void Reset() => Volatile.Write(ref _state, Idle);

    /// <summary>Ends the wait in progress with true, or, when none is, the next one at once.</summary>
    public void Signal()
    {
        if (Interlocked.Exchange(ref _state, Signalled) == Waiting)
        {
            _core.SetResult(true);
        }
    }

    /// <summary>
    /// True on a <see cref="Signal"/> since the last <see cref="Reset"/>, false when <paramref name="maxWait"/> passed first;
    /// throws <see cref="OperationCanceledException"/> once <paramref name="cancellationToken"/> is cancelled, or when the
    /// wait begins or ends with <paramref name="ending"/> cancelled. Two tokens rather than one linked source: a stream ends
    /// with its client or when the server ends it, and a linked source per stream would cost every idle connection memory
    /// (issue 14 item 2). For the same reason <paramref name="ending"/>, a token shared by many streams, is only looked at:
    /// whoever cancels it signals the waiters afterwards (<c>StreamTerminations</c> wakes every subscription).
    /// </summary>
    public ValueTask<bool> WaitAsync(TimeSpan maxWait, CancellationToken cancellationToken, CancellationToken ending = default)
    {
        // Registered once (a stream passes the same token to every wait), not once per wait.
        if (cancellationToken != _cancellation)
        {
            _cancellationRegistration.Dispose();
            _cancellation = cancellationToken;
            _cancellationRegistration = cancellationToken.UnsafeRegister(static wakeup => ((Wakeup)wakeup!).Signal(), this);
        }

        _ending = ending;
        ThrowIfCancelled();
        SetDeadline(maxWait);
        _core.Reset();
        if (Interlocked.CompareExchange(ref _state, Waiting, Idle) != Idle)
        {
            ThrowIfCancelled();
            return new ValueTask<bool>(true);
        }

        return new ValueTask<bool>(this, _core.Version);
    }

    public void Dispose()
    {
        _cancellationRegistration.Dispose();
        lock (this)
        {
            _disposed = true;
        }
    }

    bool IValueTaskSource<bool>.GetResult(short token)
    {
        var signalled = _core.GetResult(token);
        ThrowIfCancelled();
        return signalled;
    }

    ValueTaskSourceStatus IValueTaskSource<bool>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<bool>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);

    private void ThrowIfCancelled()
    {
        _cancellation.ThrowIfCancellationRequested();
        _ending.ThrowIfCancellationRequested();
    }

    private void SetDeadline(TimeSpan maxWait)
    {
        var time = timer.Time;
        var deadline = maxWait == Timeout.InfiniteTimeSpan ? NoDeadline : time.GetTimestamp() + (long)(maxWait.TotalSeconds * time.TimestampFrequency);
        lock (this)
        {
            // A queued entry that comes due and finds no deadline is dropped.
            _deadline = deadline;
            if (!_queued && deadline != NoDeadline)
            {
                _queued = true;
                timer.Add(this, deadline);
            }
        }
    }

    /// <summary>Called by the <see cref="WakeupTimer"/> when the deadline this wakeup was queued with has come.</summary>
    internal void OnDeadline()
    {
        lock (this)
        {
            if (_disposed || _deadline == NoDeadline)
            {
                _queued = false;
                return;
            }

            if (timer.Time.GetTimestamp() < _deadline)
            {
                timer.Add(this, _deadline);
                return;
            }

            _queued = false;
            // Under the monitor: a later wait sets its own deadline (under the monitor) before it waits, so this ends only
            // the wait whose deadline passed.
            if (Interlocked.CompareExchange(ref _state, Signalled, Waiting) == Waiting)
            {
                _core.SetResult(false);
            }
        }
    }
}
