namespace EventStreams.Server.Kafka;

/// <summary>
/// The deadlines of every <see cref="Wakeup"/> (a stream's next heartbeat), kept in one queue under one timer armed for the
/// earliest: a timer per stream would cost every idle connection about 160 bytes (issue 14 item 2). A wakeup is queued
/// with the deadline it had when it was added and stays queued while later waits move its deadline; when that entry comes
/// due, the wakeup ends its wait or queues itself again for what is left, as its own timer did. An entry of a disposed
/// wakeup stays until it comes due (a heartbeat period at most): removing it at once would scan the queue.
/// </summary>
internal sealed class WakeupTimer : IDisposable
{
    private readonly TimeProvider _time;
    private readonly Lock _gate = new();
    private readonly PriorityQueue<Wakeup, long> _queue = new();
    private readonly ITimer _timer;
    private long _armedFor = long.MaxValue;

    public WakeupTimer(TimeProvider time)
    {
        _time = time;
        _timer = time.CreateTimer(static self => ((WakeupTimer)self!).OnTimer(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
    }

    public TimeProvider Time => _time;

    /// <summary>How many entries are queued (live wakeups waiting with a deadline, and disposed ones not yet due).</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count;
            }
        }
    }

    /// <summary>Calls <paramref name="wakeup"/>'s <see cref="Wakeup.OnDeadline"/> once <paramref name="deadline"/> (a timestamp of <see cref="Time"/>) has come.</summary>
    public void Add(Wakeup wakeup, long deadline)
    {
        lock (_gate)
        {
            _queue.Enqueue(wakeup, deadline);
            if (deadline < _armedFor)
            {
                Arm(deadline);
            }
        }
    }

    public void Dispose() => _timer.Dispose();

    private void OnTimer()
    {
        List<Wakeup>? due = null;
        lock (_gate)
        {
            var now = _time.GetTimestamp();
            while (_queue.TryPeek(out var wakeup, out var deadline) && deadline <= now)
            {
                _queue.Dequeue();
                (due ??= []).Add(wakeup);
            }

            _armedFor = long.MaxValue;
            if (_queue.TryPeek(out _, out var next))
            {
                Arm(next);
            }
        }

        // Outside the gate: a wakeup whose deadline moved on adds itself again.
        foreach (var wakeup in due ?? [])
        {
            wakeup.OnDeadline();
        }
    }

    private void Arm(long deadline)
    {
        _armedFor = deadline;
        var now = _time.GetTimestamp();
        _timer.Change(deadline > now ? _time.GetElapsedTime(now, deadline) : TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }
}
