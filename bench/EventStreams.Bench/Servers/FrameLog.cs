namespace EventStreams.Bench.Servers;

/// <summary>The ceiling's in-memory log of one topic: pre-encoded SSE frames in a ring, one writer, many readers.</summary>
internal sealed class FrameLog
{
    public const int Capacity = 1 << 18;
    private const int Mask = Capacity - 1;

    private readonly byte[][] _ring = new byte[Capacity][];
    private long _count;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public long Count => Volatile.Read(ref _count);

    /// <summary>The oldest index still held.</summary>
    public long Oldest => Math.Max(0, Count - Capacity);

    public Task Changed => Volatile.Read(ref _changed).Task;

    public void Append(byte[] frame)
    {
        _ring[_count & Mask] = frame;
        Volatile.Write(ref _count, _count + 1);
    }

    public void Publish()
    {
        var changed = Interlocked.Exchange(ref _changed, new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
        changed.TrySetResult();
    }

    public byte[] At(long index) => _ring[index & Mask];
}
