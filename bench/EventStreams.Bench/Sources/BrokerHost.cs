using Confluent.Kafka;
using EventStreams.Server.Kafka;

namespace EventStreams.Bench.Sources;

/// <summary>The broker process: librdkafka's mock cluster plus the rate-limited producer that feeds it.</summary>
internal static class BrokerHost
{
    public static int Run(string[] args)
    {
        _ = args;
        using var cluster = new MockCluster();
        using var sink = new KafkaSink(cluster);
        Console.WriteLine($"@bootstrap {cluster.BootstrapServers}");
        new RateSource(sink).RunControlLoop();
        return 0;
    }

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
