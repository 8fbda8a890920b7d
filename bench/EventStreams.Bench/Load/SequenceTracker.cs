namespace EventStreams.Bench.Load;

/// <summary>The last sequence number seen per partition key, with the gaps (lost events) and repeats it reveals.</summary>
internal sealed class SequenceTracker
{
    private readonly Dictionary<int, long> _last = [];

    public long Gaps { get; private set; }

    public long Duplicates { get; private set; }

    public long LastSeq(int key) => _last.TryGetValue(key, out var seq) ? seq : -1;

    /// <summary>The next event of <paramref name="key"/> must be <paramref name="seq"/>: a later one counts what it skipped as lost.</summary>
    public void ExpectNext(int key, long seq) => _last[key] = seq - 1;

    public void Record(int key, long seq)
    {
        if (_last.TryGetValue(key, out var last))
        {
            if (seq > last + 1)
            {
                Gaps += seq - last - 1;
            }
            else if (seq <= last)
            {
                Duplicates++;
                return;
            }
        }

        _last[key] = seq;
    }
}
