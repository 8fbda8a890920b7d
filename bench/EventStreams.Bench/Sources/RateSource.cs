using System.Diagnostics;

namespace EventStreams.Bench.Sources;

/// <summary>Where generated events go: a Kafka topic (the broker host) or an in-memory log (the ceiling).</summary>
internal interface IEventSink
{
    void CreateTopic(string name, int partitions, int index);

    /// <summary>Writes one event; <paramref name="backlog"/> marks history written ahead of a catch-up run.</summary>
    void Emit(SourceTopic topic, int partition, long seq, long micros, bool backlog = false);

    /// <summary>Called after each tick's events (the ceiling wakes its clients here).</summary>
    void EndTick();

    /// <summary>Waits until everything emitted so far is stored.</summary>
    void Flush();
}

internal sealed class SourceTopic(string name, int partitions, int index)
{
    public string Name { get; } = name;

    public int Partitions { get; } = partitions;

    public int Index { get; } = index;

    /// <summary>Last sequence number written per partition (-1: none).</summary>
    public long[] Seq { get; } = Enumerable.Repeat(-1L, partitions).ToArray();

    public double Rate { get; set; }

    public long RateSince { get; set; }

    public long EmittedSinceRate { get; set; }

    public int NextPartition { get; set; }
}

/// <summary>
/// The rate-limited producer and its control protocol, shared by the broker host and the ceiling. Commands arrive
/// on standard input, one a line; answers go to standard output prefixed with <c>@</c>:
/// <c>topic NAME PARTITIONS INDEX</c>, <c>rate NAME EVENTS_PER_SECOND</c>, <c>fill NAME COUNT</c>, <c>seq NAME</c>, <c>quit</c>,
/// and the host's own (<paramref name="moreCommands"/>: an answer line, or null for an unknown command).
/// </summary>
internal sealed class RateSource(IEventSink sink, Func<string[], string?>? moreCommands = null)
{
    private readonly Dictionary<string, SourceTopic> _topics = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    public void RunControlLoop()
    {
        var ticker = new Thread(Tick) { IsBackground = true, Name = "rate-source", Priority = ThreadPriority.AboveNormal };
        ticker.Start();
        Console.WriteLine("@ready");
        while (Console.ReadLine() is { } line)
        {
            var parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0)
            {
                continue;
            }

            switch (parts[0])
            {
                case "topic":
                    var topic = new SourceTopic(parts[1], int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[3], System.Globalization.CultureInfo.InvariantCulture));
                    sink.CreateTopic(topic.Name, topic.Partitions, topic.Index);
                    lock (_gate)
                    {
                        _topics[topic.Name] = topic;
                    }

                    Console.WriteLine($"@ok topic {topic.Name}");
                    break;
                case "rate":
                    lock (_gate)
                    {
                        var t = _topics[parts[1]];
                        t.Rate = double.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture);
                        t.RateSince = Stopwatch.GetTimestamp();
                        t.EmittedSinceRate = 0;
                    }

                    Console.WriteLine($"@ok rate {parts[1]}");
                    break;
                case "fill":
                    lock (_gate)
                    {
                        var filled = _topics[parts[1]];
                        var count = int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture);
                        // Partition by partition, so that the backlog sits in large producer batches (see KafkaSink).
                        for (var partition = 0; partition < filled.Partitions; partition++)
                        {
                            for (var i = partition; i < count; i += filled.Partitions)
                            {
                                sink.Emit(filled, partition, ++filled.Seq[partition], BenchEvents.NowMicros(), backlog: true);
                            }
                        }

                        sink.EndTick();
                        sink.Flush();
                    }

                    Console.WriteLine($"@ok fill {parts[1]}");
                    break;
                case "seq":
                    lock (_gate)
                    {
                        Console.WriteLine($"@seq {parts[1]} {string.Join(',', _topics[parts[1]].Seq)}");
                    }

                    break;
                case "quit":
                    return;
                default:
                    Console.WriteLine(moreCommands?.Invoke(parts) ?? $"@error unknown command {parts[0]}");
                    break;
            }
        }
    }

    private void Tick()
    {
        while (true)
        {
            lock (_gate)
            {
                var any = false;
                foreach (var topic in _topics.Values)
                {
                    if (topic.Rate <= 0)
                    {
                        continue;
                    }

                    var due = (long)(topic.Rate * Stopwatch.GetElapsedTime(topic.RateSince).TotalSeconds) - topic.EmittedSinceRate;
                    for (var i = 0; i < due; i++)
                    {
                        var partition = topic.NextPartition;
                        topic.NextPartition = (partition + 1) % topic.Partitions;
                        var seq = ++topic.Seq[partition];
                        sink.Emit(topic, partition, seq, BenchEvents.NowMicros());
                        any = true;
                    }

                    topic.EmittedSinceRate += Math.Max(0, due);
                }

                if (any)
                {
                    sink.EndTick();
                }
            }

            Thread.Sleep(1);
        }
    }
}
