using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;

namespace EventStreams.Fleet;

/// <summary>What happened in a fleet, with the time since it started: restart phases and the balancer's failed forwards.</summary>
public sealed class FleetLog
{
    private readonly Stopwatch _clock = Stopwatch.StartNew();
    private readonly ConcurrentQueue<string> _entries = new();

    public IReadOnlyList<string> Entries => [.. _entries];

    public TimeSpan Elapsed => _clock.Elapsed;

    /// <summary>Also write each entry to the console as it comes (the benchmark).</summary>
    public bool Echo { get; set; }

    public void Add(string what)
    {
        var entry = string.Create(CultureInfo.InvariantCulture, $"{DateTime.UtcNow:HH:mm:ss.fff} (+{_clock.Elapsed.TotalSeconds:0.000} s) {what}");
        _entries.Enqueue(entry);
        if (Echo)
        {
            Console.WriteLine(entry);
        }
    }
}
