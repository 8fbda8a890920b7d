using Confluent.Kafka;

namespace EventStreams.Server.Kafka;

/// <summary>
/// The recent events of one topic-partition, each encoded once, shared by every client at the live edge.
/// One writer (the shared reader's thread), many readers. Bounded in bytes; the newest event is always kept.
/// </summary>
internal sealed class PartitionCache
{
    private readonly Lock _gate = new();
    private readonly long _maxBytes;
    private readonly long _startOffset;
    private KafkaEvent[] _ring = new KafkaEvent[256];
    private int _head;
    private int _count;
    private long _bytes;
    // Read without the lock (a time lookup takes it before each look); replaced under the lock.
    private volatile TaskCompletionSource _changed = NewSignal();
    // The subscriptions reading this cache, each signalled on every publish: registered once, not once per wait, so that
    // 10,000 clients waiting add nothing to this cache's lock or to a task's continuation list.
    private readonly Lock _watchersGate = new();
    private readonly HashSet<Wakeup> _watchers = [];
    private Wakeup[] _waking = [];

    public PartitionCache(TopicPartition partition, long startOffset, long maxBytes)
    {
        Partition = partition;
        CompleteFrom = startOffset;
        End = startOffset;
        _startOffset = startOffset;
        _maxBytes = maxBytes;
    }

    public TopicPartition Partition { get; }

    /// <summary>
    /// No message came before the start offset when the reader started (it started at the partition's oldest): an event
    /// held first is then the partition's first.
    /// </summary>
    public bool FromOldest { get; init; }

    /// <summary>The partition's end when its reader started: every offset below it was written, whether read yet or not.</summary>
    public long EndWhenStarted { get; init; }

    /// <summary>The first offset from which this cache holds every message.</summary>
    public long CompleteFrom { get; private set; }

    /// <summary>The offset after the last message read: where a client that wants only new events starts.</summary>
    public long End { get; private set; }

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _count;
            }
        }
    }

    internal int Subscribers { get; set; }

    internal long IdleSince { get; set; }

    /// <summary>Completes when events are appended after this call.</summary>
    public Task Changed => _changed.Task;

    /// <summary>Signals <paramref name="wakeup"/> on every <see cref="Publish"/> until <see cref="Unwatch"/>.</summary>
    public void Watch(Wakeup wakeup)
    {
        lock (_watchersGate)
        {
            _watchers.Add(wakeup);
        }
    }

    public void Unwatch(Wakeup wakeup)
    {
        lock (_watchersGate)
        {
            _watchers.Remove(wakeup);
        }
    }

    /// <summary>
    /// Signals every watcher, from any thread: for what streams follow without a callback each (the server ending them,
    /// partitions added; see <see cref="SharedPartitionReader.WakeAll"/>). Rare, so it copies rather than share
    /// <see cref="Publish"/>'s buffer.
    /// </summary>
    public void WakeWatchers()
    {
        Wakeup[] watchers;
        lock (_watchersGate)
        {
            watchers = [.. _watchers];
        }

        foreach (var wakeup in watchers)
        {
            wakeup.Signal();
        }
    }

    public void Append(KafkaEvent e)
    {
        lock (_gate)
        {
            if (_count == _ring.Length)
            {
                Grow();
            }

            _ring[(_head + _count) % _ring.Length] = e;
            _count++;
            _bytes += e.Json.Length;
            End = e.Offset + 1;
            while (_bytes > _maxBytes && _count > 1)
            {
                var oldest = _ring[_head];
                _ring[_head] = null!;
                _head = (_head + 1) % _ring.Length;
                _count--;
                _bytes -= oldest.Json.Length;
                CompleteFrom = oldest.Offset + 1;
            }
        }
    }

    /// <summary>Records that the reader moved past <paramref name="offset"/> without a deliverable event (skipped or control record).</summary>
    public void Advance(long offset)
    {
        lock (_gate)
        {
            End = Math.Max(End, offset + 1);
        }
    }

    /// <summary>
    /// Wakes everyone waiting on <see cref="Changed"/> and every watcher; called once per batch of appends, by the one
    /// writer (the shared reader's thread).
    /// </summary>
    public void Publish()
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            changed = _changed;
            _changed = NewSignal();
        }

        changed.TrySetResult();

        int count;
        lock (_watchersGate)
        {
            count = _watchers.Count;
            if (_waking.Length < count)
            {
                _waking = new Wakeup[Math.Max(count, _waking.Length * 2)];
            }

            _watchers.CopyTo(_waking);
        }

        // Outside the gate: a client connecting or leaving does not wait for 10,000 signals.
        var waking = _waking.AsSpan(0, count);
        foreach (var wakeup in waking)
        {
            wakeup.Signal();
        }

        waking.Clear();
    }

    /// <summary>
    /// Copies up to <paramref name="max"/> events at or after <paramref name="next"/> into <paramref name="into"/>.
    /// Returns false when <paramref name="next"/> is before what this cache holds (the caller must catch up from Kafka).
    /// </summary>
    public bool TryRead(long next, List<KafkaEvent> into, int max)
    {
        lock (_gate)
        {
            if (next < CompleteFrom)
            {
                return false;
            }

            for (var i = FirstIndexAtOrAfter(next); i < _count && max > 0; i++, max--)
            {
                into.Add(_ring[(_head + i) % _ring.Length]);
            }

            return true;
        }
    }

    /// <summary>
    /// The offset of the first held event with timestamp ≥ <paramref name="timestamp"/>, <see cref="End"/> when all are
    /// older (while the reader fills the cache, where it has read to: early, never late), or null when the cache cannot tell.
    /// </summary>
    public long? OffsetForTimestamp(long timestamp)
    {
        lock (_gate)
        {
            if (_count == 0)
            {
                // Read from the oldest and found nothing: the partition was empty.
                return FromOldest && End == CompleteFrom ? End : null;
            }

            if (At(0).Timestamp >= timestamp)
            {
                // The first held event at that very time is the partition's first only if nothing came before the window.
                return FromOldest && CompleteFrom == _startOffset ? At(0).Offset : null;
            }

            for (var i = 0; i < _count; i++)
            {
                if (At(i).Timestamp >= timestamp)
                {
                    return At(i).Offset;
                }
            }

            return End;
        }
    }

    /// <summary>
    /// The timestamp of the last held event before <paramref name="offset"/> and how many held events before the
    /// offset share it (a run that reaches back to the first held event may be longer); null when not held.
    /// </summary>
    public (long Timestamp, int Run)? TimestampBefore(long offset)
    {
        lock (_gate)
        {
            var index = FirstIndexAtOrAfter(offset) - 1;
            if (index < 0)
            {
                return null;
            }

            // The cache is contiguous from CompleteFrom, so the last held event before the offset is the message just before it.
            var timestamp = At(index).Timestamp;
            var run = 1;
            while (index - run >= 0 && At(index - run).Timestamp == timestamp)
            {
                run++;
            }

            return (timestamp, run);
        }
    }

    private KafkaEvent At(int index) => _ring[(_head + index) % _ring.Length];

    private int FirstIndexAtOrAfter(long offset)
    {
        int lo = 0, hi = _count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (At(mid).Offset < offset)
            {
                lo = mid + 1;
            }
            else
            {
                hi = mid;
            }
        }

        return lo;
    }

    private void Grow()
    {
        var bigger = new KafkaEvent[_ring.Length * 2];
        for (var i = 0; i < _count; i++)
        {
            bigger[i] = At(i);
        }

        _ring = bigger;
        _head = 0;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
