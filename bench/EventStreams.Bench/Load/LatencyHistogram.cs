using System.Collections.Concurrent;

namespace EventStreams.Bench.Load;

/// <summary>
/// Log-scaled latency histogram (1% resolution, µs input), one per thread so that recording takes no lock or
/// interlocked operation; <see cref="Summarize"/> merges them.
/// </summary>
internal sealed class LatencyHistogram
{
    private const int Buckets = 2400;
    private static readonly ConcurrentBag<LatencyHistogram> All = [];

    [ThreadStatic]
    private static LatencyHistogram? _current;

    private readonly long[] _counts = new long[Buckets];
    private long _max;

    public static LatencyHistogram Current
    {
        get
        {
            if (_current is null)
            {
                _current = new LatencyHistogram();
                All.Add(_current);
            }

            return _current;
        }
    }

    public void Record(long micros)
    {
        var bucket = micros <= 1 ? 0 : Math.Min(Buckets - 1, (int)(Math.Log(micros) * 100));
        _counts[bucket]++;
        if (micros > _max)
        {
            _max = micros;
        }
    }

    public static void ResetAll()
    {
        foreach (var h in All)
        {
            Array.Clear(h._counts);
            h._max = 0;
        }
    }

    public static LatencySummary Summarize()
    {
        var merged = new long[Buckets];
        long max = 0;
        foreach (var h in All)
        {
            for (var i = 0; i < Buckets; i++)
            {
                merged[i] += h._counts[i];
            }

            max = Math.Max(max, h._max);
        }

        var total = merged.Sum();
        return new LatencySummary(total, Percentile(merged, total, 0.50), Percentile(merged, total, 0.99), Percentile(merged, total, 0.999), max / 1000.0);
    }

    private static double Percentile(long[] counts, long total, double q)
    {
        if (total == 0)
        {
            return 0;
        }

        var rank = (long)Math.Ceiling(q * total);
        long seen = 0;
        for (var i = 0; i < counts.Length; i++)
        {
            seen += counts[i];
            if (seen >= rank)
            {
                // Upper edge of the bucket, in ms.
                return Math.Exp((i + 1) / 100.0) / 1000.0;
            }
        }

        return 0;
    }
}
