using System.Threading.Channels;

namespace EventStreams.Bench.Servers;

/// <summary>
/// The ceiling's in-memory log of one topic: pre-encoded SSE frames in a ring (for resuming clients) and the queues of
/// the clients that follow it. One writer (the rate source's thread); clients join and leave under <see cref="Gate"/>.
/// </summary>
internal sealed class FrameLog
{
    public const int Capacity = 1 << 18;
    private const int Mask = Capacity - 1;

    private readonly byte[][] _ring = new byte[Capacity][];
    private long _count;
    private long _published;

    /// <summary>Held while frames are handed to the clients and while a client joins, so a joining client misses nothing.</summary>
    public static readonly Lock Gate = new();

    /// <summary>The clients' queues; copied on every change, read without a lock.</summary>
    public volatile ChannelWriter<byte[]>[] Followers = [];

    public long Count => Volatile.Read(ref _count);

    /// <summary>Frames before this index have been offered to the followers (read under <see cref="Gate"/>).</summary>
    public long Published => _published;

    /// <summary>The oldest index still held.</summary>
    public long Oldest => Math.Max(0, Count - Capacity);

    public void Append(byte[] frame)
    {
        _ring[_count & Mask] = frame;
        Volatile.Write(ref _count, _count + 1);
    }

    /// <summary>Offers every frame appended since the last call to every follower; a full queue ends that follower (it fell behind).</summary>
    public void Publish()
    {
        lock (Gate)
        {
            for (; _published < _count; _published++)
            {
                var frame = At(_published);
                foreach (var follower in Followers)
                {
                    if (!follower.TryWrite(frame))
                    {
                        follower.TryComplete(new ChannelClosedException("fell behind"));
                    }
                }
            }
        }
    }

    public byte[] At(long index) => _ring[index & Mask];
}
