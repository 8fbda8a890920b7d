using Confluent.Kafka;
using EventStreams.Server.Kafka;

namespace EventStreams.Server.Streaming;

/// <summary>
/// One client's place in one topic-partition: what to read next, and what it has been sent (for its event ids).
/// A timestamp resume point <c>(timestamp, skip)</c> means: the client has every event before that millisecond and
/// the first <c>skip</c> events of it; events read before that point are swallowed, not delivered.
/// </summary>
internal sealed class PartitionPosition
{
    private long _skipTimestamp;
    private int _skipLeft;
    private bool _skipping;

    /// <param name="resumeTimestamp">The time the client asked to start at (since, or a timestamp id); null for an offset start.</param>
    /// <param name="resumeSkip">How many events of that millisecond the client already has.</param>
    public PartitionPosition(int index, PartitionCache cache, long start, long? resumeTimestamp, int resumeSkip = 0)
    {
        Index = index;
        Cache = cache;
        Next = start;
        DeliveredNext = start;
        DeliveredTimestamp = resumeTimestamp;
        DeliveredRun = resumeSkip;
        if (resumeTimestamp is { } t)
        {
            _skipTimestamp = t;
            _skipLeft = resumeSkip;
            _skipping = true;
        }
    }

    public int Index { get; }

    public PartitionCache Cache { get; }

    public TopicPartition Partition => Cache.Partition;

    /// <summary>The next offset to read.</summary>
    public long Next { get; set; }

    /// <summary>The offset after the last event written to the client (or swallowed before its start): resuming here loses and repeats nothing.</summary>
    public long DeliveredNext { get; private set; }

    /// <summary>The timestamp of the last event written (or the time the client asked to start at); null while unknown.</summary>
    public long? DeliveredTimestamp { get; private set; }

    /// <summary>How many events of <see cref="DeliveredTimestamp"/>'s millisecond the client has: a resume skips that many.</summary>
    public int DeliveredRun { get; private set; }

    public bool CatchingUp { get; set; }

    /// <summary>Changes with every delivery, so that a rendered id element can tell it is out of date.</summary>
    public int Version { get; private set; }

    /// <summary>
    /// True when <paramref name="e"/> lies before this client's timestamp resume point (earlier than its time, or one
    /// of the events of its millisecond it already has): the event moves the position but is not delivered.
    /// </summary>
    public bool Swallows(KafkaEvent e)
    {
        if (!_skipping)
        {
            return false;
        }

        if (e.Timestamp < _skipTimestamp || (e.Timestamp == _skipTimestamp && _skipLeft-- > 0))
        {
            DeliveredNext = e.Offset + 1;
            Version++;
            return true;
        }

        _skipping = false;
        return false;
    }

    public void Delivered(KafkaEvent e)
    {
        if (DeliveredTimestamp is null && e.Offset == DeliveredNext)
        {
            LearnTimeBeforeStart();
        }

        DeliveredRun = DeliveredTimestamp == e.Timestamp ? DeliveredRun + 1 : 1;
        DeliveredTimestamp = e.Timestamp;
        DeliveredNext = e.Offset + 1;
        _skipping = false;
        Version++;
    }

    /// <summary>
    /// For a partition that started at an offset and has delivered nothing: the time (and run of events sharing it)
    /// of the message before its start, once the shared cache has read it. False while unknown.
    /// </summary>
    public bool LearnTimeBeforeStart()
    {
        if (DeliveredTimestamp is not null)
        {
            return true;
        }

        if (Cache.TimestampBefore(DeliveredNext) is not { } before)
        {
            return false;
        }

        DeliveredTimestamp = before.Timestamp;
        DeliveredRun = before.Run;
        return true;
    }
}
