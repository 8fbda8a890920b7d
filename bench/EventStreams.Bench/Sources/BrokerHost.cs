using System.Globalization;
using Confluent.Kafka;
using EventStreams.Server.Kafka;

namespace EventStreams.Bench.Sources;

/// <summary>The broker process: librdkafka's mock cluster plus the rate-limited producer that feeds it.</summary>
internal static class BrokerHost
{
    private static readonly string[] TcpTables = ["/proc/net/tcp", "/proc/net/tcp6"];

    public static int Run(string[] args)
    {
        _ = args;
        using var cluster = new MockCluster();
        using var sink = new KafkaSink(cluster);
        Console.WriteLine($"@bootstrap {cluster.BootstrapServers}");
        var ports = cluster.BootstrapServers.Split(',').Select(b => int.Parse(b[(b.LastIndexOf(':') + 1)..], CultureInfo.InvariantCulture)).ToHashSet();
        new RateSource(sink, parts => parts[0] switch
        {
            "track" => Track(cluster),
            "requests" => Requests(cluster, ports),
            _ => null,
        }).RunControlLoop();
        return 0;
    }

    /// <summary><c>track</c>: the broker starts counting the requests it receives (from now on).</summary>
    private static string Track(MockCluster cluster)
    {
        cluster.StartRequestTracking();
        cluster.TakeRequestCounts();
        return "@ok track";
    }

    /// <summary>
    /// <c>requests</c>: the requests received since the last <c>track</c> or <c>requests</c>, per kind, and the TCP
    /// connections open to the broker now (every Kafka client on this machine connected to its ports).
    /// </summary>
    private static string Requests(MockCluster cluster, HashSet<int> ports)
    {
        var counts = cluster.TakeRequestCounts();
        long Count(short key) => counts.GetValueOrDefault(key);
        var other = counts.Where(c => c.Key is not (0 or 1 or 2 or 3)).Sum(c => c.Value);
        return $"@requests produce={Count(0)} fetch={Count(1)} listoffsets={Count(2)} metadata={Count(3)} other={other} connections={Connections(ports)}";
    }

    /// <summary>Established TCP connections whose local end is one of <paramref name="ports"/> (from /proc/net/tcp and tcp6).</summary>
    private static int Connections(HashSet<int> ports) => TcpTables
        .Where(File.Exists)
        .SelectMany(f => File.ReadLines(f).Skip(1))
        .Select(l => l.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        .Count(f => f[3] == "01" && ports.Contains(int.Parse(f[1][(f[1].LastIndexOf(':') + 1)..], NumberStyles.HexNumber, CultureInfo.InvariantCulture)));

    private sealed class KafkaSink : IEventSink, IDisposable
    {
        private readonly MockCluster _cluster;
        private readonly Dictionary<string, string> _streams = new(StringComparer.Ordinal);
        private readonly IProducer<byte[]?, byte[]?> _producer;
        private readonly IProducer<byte[]?, byte[]?> _backlogProducer;

        public KafkaSink(MockCluster cluster)
        {
            _cluster = cluster;
            // Linger 1 ms: the producer's batching is part of the latency every server sees equally.
            _producer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig
            {
                BootstrapServers = cluster.BootstrapServers,
                LingerMs = 1,
                Acks = Acks.Leader,
                SocketNagleDisable = true,
                QueueBufferingMaxMessages = 500_000,
            }).Build();
            // A backlog in batches of up to 1 MB. The mock broker answers a fetch with at most ONE stored batch per
            // partition (and finds it by a linear search), where a real broker returns up to max.partition.fetch.bytes
            // (1 MB) per partition: written in 1 ms batches, a catch-up measured the mock's fetch path, not the servers.
            _backlogProducer = new ProducerBuilder<byte[]?, byte[]?>(new ProducerConfig
            {
                BootstrapServers = cluster.BootstrapServers,
                LingerMs = 200,
                BatchSize = 1_000_000,
                BatchNumMessages = 100_000,
                Acks = Acks.Leader,
                QueueBufferingMaxMessages = 500_000,
            }).Build();
        }

        public void CreateTopic(string name, int partitions, int index)
        {
            _cluster.CreateTopic(name, partitions);
            _streams[name] = name;
        }

        public void Emit(SourceTopic topic, int partition, long seq, long micros, bool backlog = false)
        {
            var producer = backlog ? _backlogProducer : _producer;
            var value = BenchEvents.Create(topic.Name, topic.Index * BenchEvents.KeysPerTopic + partition, seq, micros);
            var message = new Message<byte[]?, byte[]?> { Value = value, Timestamp = new Timestamp(micros / 1000, TimestampType.CreateTime) };
            while (true)
            {
                try
                {
                    producer.Produce(new TopicPartition(topic.Name, partition), message);
                    return;
                }
                catch (ProduceException<byte[]?, byte[]?> e) when (e.Error.Code == ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(5));
                }
            }
        }

        public void EndTick() => _producer.Poll(TimeSpan.Zero);

        public void Flush()
        {
            _producer.Flush(TimeSpan.FromSeconds(60));
            _backlogProducer.Flush(TimeSpan.FromSeconds(60));
        }

        public void Dispose()
        {
            _producer.Dispose();
            _backlogProducer.Dispose();
        }
    }
}
