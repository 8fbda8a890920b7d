using System.Diagnostics;
using Confluent.Kafka;
using EventStreams.Server.Kafka;

namespace EventStreams.Bench.Micro;

/// <summary>The <c>consume</c> mode: how fast one plain consumer reads a backlog from the broker (no encoding, no HTTP).</summary>
internal static class ConsumeProbe
{
    public static int Run(string[] args)
    {
        LibrdkafkaLoader.EnsureRegistered();
        var (bootstrap, topic, partitions, count) = (args[0], args[1], int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture), int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture));
        var config = new ConsumerConfig { BootstrapServers = bootstrap, GroupId = "probe", EnableAutoCommit = false, FetchWaitMaxMs = 10, FetchQueueBackoffMs = 10 };
        for (var i = 4; i + 1 < args.Length; i += 2)
        {
            config.Set(args[i], args[i + 1]);
        }

        using var consumer = new ConsumerBuilder<byte[]?, byte[]?>(config).Build();
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, 0)));
        var watch = Stopwatch.StartNew();
        var n = 0;
        while (n < count && watch.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (consumer.Consume(TimeSpan.FromMilliseconds(100)) is { Message: not null })
            {
                n++;
            }
        }

        Console.WriteLine($"@consumed {n} in {watch.Elapsed.TotalSeconds:F2} s: {n / watch.Elapsed.TotalSeconds:N0} msg/s");
        return 0;
    }
}

/// <summary>The <c>catchup-reader</c> mode: the server's own catch-up reader (Kafka + encoding, no HTTP) draining a backlog.</summary>
internal static class CatchUpReaderProbe
{
    public static async Task<int> RunAsync(string[] args)
    {
        var (bootstrap, topic, partitions, count) = (args[0], args[1], int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture), int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture));
        var options = new KafkaOptions { BootstrapServers = bootstrap };
        for (var i = 4; i + 1 < args.Length; i += 2)
        {
            options.Consumer[args[i]] = args[i + 1];
        }

        using var kafka = new KafkaClients(Microsoft.Extensions.Options.Options.Create(options), TimeProvider.System, Microsoft.Extensions.Logging.Abstractions.NullLogger<KafkaClients>.Instance);
        var cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime;
        using var reader = new CatchUpReader(kafka, new EventStreams.Server.Diagnostics.StreamMetrics(), Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        for (var p = 0; p < partitions; p++)
        {
            reader.Add(new TopicPartition(topic, p), 0, p);
        }

        reader.Start();

        var watch = Stopwatch.StartNew();
        var n = 0;
        while (n < count && await reader.Events.WaitToReadAsync(CancellationToken.None))
        {
            while (reader.Events.TryRead(out _))
            {
                n++;
            }
        }

        cpu = System.Diagnostics.Process.GetCurrentProcess().TotalProcessorTime - cpu;
        Console.WriteLine($"@read {n} in {watch.Elapsed.TotalSeconds:F2} s: {n / watch.Elapsed.TotalSeconds:N0} events/s, {cpu.TotalMicroseconds / n:F2} us CPU per event");
        return 0;
    }
}
