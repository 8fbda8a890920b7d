using System.Text;
using System.Threading.Channels;

namespace EventStreams.Bench.Servers;

/// <summary>
/// One event of the ceiling's log: the whole pre-encoded SSE frame with a one-element id (for a client that follows
/// one partition), and what a client following several partitions needs to send the same frame as our server:
/// this partition's id element after the event, and where the frame's <c>\ndata: …\n\n</c> part starts.
/// </summary>
internal sealed record Frame(byte[] Whole, int DataStart, int Partition, byte[] Element);

/// <summary>A frame queued for a client, with the index of its stream among the client's streams.</summary>
internal readonly record struct Queued(int Log, Frame Frame);

/// <summary>One client of a log: its queue, and the index of this log among the client's streams.</summary>
internal sealed record Follower(ChannelWriter<Queued> Queue, int Log);

/// <summary>
/// The ceiling's in-memory log of one topic: pre-encoded SSE frames in a ring (for resuming clients) and the queues of
/// the clients that follow it. One writer (the rate source's thread); clients join and leave under <see cref="Gate"/>.
/// </summary>
internal sealed class FrameLog(string topic, int partitions)
{
    public const int Capacity = 1 << 18;
    private const int Mask = Capacity - 1;

    private readonly Frame[] _ring = new Frame[Capacity];
    private readonly byte[][] _startElements = [.. Enumerable.Range(0, partitions).Select(p => Encoding.UTF8.GetBytes($"{{\"topic\":\"{topic}\",\"partition\":{p},\"offset\":0}}"))];
    private readonly byte[][] _firstElements = new byte[partitions][];
    private readonly byte[][] _lastElements = new byte[partitions][];
    private long _count;
    private long _published;

    /// <summary>Held while frames are handed to the clients and while a client joins, so a joining client misses nothing.</summary>
    public static readonly Lock Gate = new();

    /// <summary>The clients' queues; copied on every change, read without a lock.</summary>
    public volatile Follower[] Followers = [];

    public int Partitions => partitions;

    public long Count => Volatile.Read(ref _count);

    /// <summary>Frames before this index have been offered to the followers (read under <see cref="Gate"/>).</summary>
    public long Published => _published;

    /// <summary>The oldest index still held.</summary>
    public long Oldest => Math.Max(0, Count - Capacity);

    /// <summary>
    /// A resuming client's element for a partition before its first event: as long as ours' elements once it reads.
    /// Ours reads a resuming client's partitions in turn, up to 256 events each, so after its first round every element
    /// has the timestamp form; the ceiling reads its log in order (the catch-up backlog partition by partition), and
    /// with the shorter offset form (<c>"offset":0</c>) for the partitions it has not reached, it would send ~12 % fewer
    /// bytes per event than ours. So the element of the partition's first event (the offset form while there is none).
    /// </summary>
    public byte[] StartElement(int partition) => Volatile.Read(ref _firstElements[partition]) ?? _startElements[partition];

    /// <summary>The element of the newest event of <paramref name="partition"/>: a live client's id starts with these.</summary>
    public byte[] LastElement(int partition) => Volatile.Read(ref _lastElements[partition]) ?? _startElements[partition];

    public void Append(Frame frame)
    {
        _ring[_count & Mask] = frame;
        _firstElements[frame.Partition] ??= frame.Element;
        Volatile.Write(ref _lastElements[frame.Partition], frame.Element);
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
                    if (!follower.Queue.TryWrite(new Queued(follower.Log, frame)))
                    {
                        follower.Queue.TryComplete(new ChannelClosedException("fell behind"));
                    }
                }
            }
        }
    }

    public Frame At(long index) => _ring[index & Mask];
}
