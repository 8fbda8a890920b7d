using System.Collections.Concurrent;
using Confluent.Kafka;
using EventStreams.Server.Diagnostics;
using Microsoft.Extensions.Options;

namespace EventStreams.Server.Kafka;

/// <summary>
/// Where Kafka is (a configured cluster, or the embedded mock cluster started here) and how our
/// consumers are configured. Also answers metadata questions: partitions per topic and watermarks.
/// </summary>
public sealed partial class KafkaClients : IDisposable
{
    private static readonly TimeSpan MetadataTimeout = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MetadataTtl = TimeSpan.FromSeconds(30);

    /// <summary>A missing topic is asked about again soon: new streams' topics appear with their first event.</summary>
    private static readonly TimeSpan MissingTopicTtl = TimeSpan.FromSeconds(2);

    private static readonly TimeSpan ErrorLogInterval = TimeSpan.FromSeconds(30);
    private static readonly string[] ConnectionSettingPrefixes = ["security.", "sasl.", "ssl.", "socket.", "client.dns.", "broker.address.", "enable.ssl."];

    private readonly ConcurrentDictionary<ErrorCode, long> _lastErrorLog = new();
    private readonly KafkaOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<KafkaClients> _logger;
    private readonly Lazy<IAdminClient> _admin;
    private readonly Lazy<IConsumer<byte[]?, byte[]?>> _watermarks;
    private readonly ConcurrentDictionary<string, (int Partitions, DateTimeOffset At)> _partitionCounts = new(StringComparer.Ordinal);
    private readonly Lock _countsGate = new();
    private CancellationTokenSource _partitionsAdded = new();

    public KafkaClients(IOptions<KafkaOptions> options, TimeProvider time, ILogger<KafkaClients> logger)
    {
        LibrdkafkaLoader.EnsureRegistered();
        _options = options.Value;
        _time = time;
        _logger = logger;
        if (_options.UsesEmbeddedBroker)
        {
            EmbeddedCluster = new MockCluster();
            LogEmbedded(logger, EmbeddedCluster.BootstrapServers);
        }

        BootstrapServers = EmbeddedCluster?.BootstrapServers ?? _options.BootstrapServers;
        _admin = new(() => CreateAdminClient());
        _watermarks = new(() => CreateConsumer("metadata"));
    }

    public string BootstrapServers { get; }

    /// <summary>Every error a consumer of ours reports (librdkafka's thread: keep handlers short).</summary>
    public event Action<Error>? ErrorReported;

    /// <summary>The in-process mock cluster when no bootstrap servers are configured.</summary>
    public MockCluster? EmbeddedCluster { get; }

    public ConsumerConfig ConsumerConfig(string purpose)
    {
        var config = new ConsumerConfig
        {
            BootstrapServers = BootstrapServers,
            GroupId = "eventstreams",
            ClientId = $"eventstreams-{purpose}",
            EnableAutoCommit = false,
            EnableAutoOffsetStore = false,
            EnablePartitionEof = true,
            AutoOffsetReset = AutoOffsetReset.Earliest,
            // The embedded broker holds an empty fetch for the whole wait, so keep it short there.
            FetchWaitMaxMs = EmbeddedCluster is null ? 100 : 10,
            QueuedMaxMessagesKbytes = 16 * 1024,
            // librdkafka pauses fetching for this long whenever its local queue is over the limit above (default 1 s):
            // a reader that drains fast would otherwise stall for a second per queue-full (catch-up ran at 15k events/s).
            FetchQueueBackoffMs = 10,
            SocketNagleDisable = true,
        };
        foreach (var (key, value) in _options.Consumer)
        {
            config.Set(key, value);
        }

        return config;
    }

    public IConsumer<byte[]?, byte[]?> CreateConsumer(string purpose, Action<ConsumerConfig>? tune = null)
    {
        var config = ConsumerConfig(purpose);
        tune?.Invoke(config);
        return new ConsumerBuilder<byte[]?, byte[]?>(config)
            .SetLogHandler((_, message) => LogKafka(_logger, message.Name, message.Message))
            .SetErrorHandler((_, error) => OnError(error))
            .Build();
    }

    /// <summary>An admin client with the consumers' connection settings, so it reaches the same cluster.</summary>
    public IAdminClient CreateAdminClient(Action<AdminClientConfig>? tune = null)
    {
        var config = new AdminClientConfig { BootstrapServers = BootstrapServers };
        ApplyConnectionSettings(config);
        tune?.Invoke(config);
        return new AdminClientBuilder(config)
            .SetLogHandler((_, message) => LogKafka(_logger, message.Name, message.Message))
            .Build();
    }

    public IProducer<byte[]?, byte[]?> CreateProducer(Action<ProducerConfig>? tune = null)
    {
        var config = new ProducerConfig { BootstrapServers = BootstrapServers, LingerMs = 5 };
        ApplyConnectionSettings(config);
        tune?.Invoke(config);
        return new ProducerBuilder<byte[]?, byte[]?>(config).Build();
    }

    /// <summary>
    /// During an outage librdkafka reports every failed connection of every client (about 880 lines in 45 s): one
    /// warning per error code per <see cref="ErrorLogInterval"/>, the rest at debug level. KafkaHealth logs the outage itself.
    /// </summary>
    private void OnError(Error error)
    {
        ErrorReported?.Invoke(error);
        var now = _time.GetTimestamp();
        var last = _lastErrorLog.GetOrAdd(error.Code, 0);
        if ((last == 0 || _time.GetElapsedTime(last, now) >= ErrorLogInterval) && _lastErrorLog.TryUpdate(error.Code, now, last))
        {
            LogKafkaError(_logger, error.Code, error.Reason);
        }
        else
        {
            LogKafkaErrorRepeated(_logger, error.Code, error.Reason);
        }
    }

    /// <summary>The connection settings among <c>Kafka:Consumer</c> (security, SASL, SSL, sockets): every client reaches the cluster the same way.</summary>
    private void ApplyConnectionSettings(ClientConfig config)
    {
        foreach (var (key, value) in _options.Consumer.Where(setting => ConnectionSettingPrefixes.Any(prefix => setting.Key.StartsWith(prefix, StringComparison.Ordinal))))
        {
            config.Set(key, value);
        }
    }

    /// <summary>Partitions of <paramref name="topic"/>, or 0 when the topic does not exist. Cached briefly.</summary>
    public int PartitionCount(string topic)
    {
        var now = _time.GetUtcNow();
        if (!_partitionCounts.TryGetValue(topic, out var cached) || now - cached.At >= (cached.Partitions == 0 ? MissingTopicTtl : MetadataTtl))
        {
            // Asking for one unknown topic makes librdkafka wait for it until the timeout; the full list answers at once.
            var metadata = _admin.Value.GetMetadata(MetadataTimeout);
            Observe(metadata);

            // Decide from this answer, not from the shared map: a concurrent refresh may have stamped the entry
            // with its own time, which made this topic look missing (and cached as missing for the TTL).
            var mine = metadata.Topics.FirstOrDefault(t => t.Topic == topic && !t.Error.IsError);
            cached = (mine?.Partitions.Count ?? 0, now);
            _partitionCounts[topic] = cached;
        }

        return cached.Partitions;
    }

    /// <summary>The partitions of <paramref name="topic"/> as last seen, without asking the broker (0 when unknown).</summary>
    public int KnownPartitionCount(string topic) => _partitionCounts.TryGetValue(topic, out var cached) ? cached.Partitions : 0;

    /// <summary>
    /// Cancelled when a topic gains partitions (a topic created counts: it goes from 0); a new token after that. The
    /// health probe's metadata request (every <c>Kafka:Health:ProbeIntervalMilliseconds</c>) is what notices, so
    /// running streams pick new partitions up within that interval.
    /// </summary>
    public CancellationToken PartitionsAdded => Volatile.Read(ref _partitionsAdded).Token;

    /// <summary>Takes the partition counts of a full metadata answer (every topic of the cluster), and says when one grew.</summary>
    public void Observe(Metadata metadata)
    {
        var now = _time.GetUtcNow();
        var grew = false;
        lock (_countsGate)
        {
            foreach (var info in metadata.Topics.Where(t => !t.Error.IsError))
            {
                grew |= _partitionCounts.TryGetValue(info.Topic, out var known) && info.Partitions.Count > known.Partitions;
                _partitionCounts[info.Topic] = (info.Partitions.Count, now);
            }

            if (grew)
            {
                // The old source is not disposed: a subscription may be registering on its token right now.
                var added = _partitionsAdded;
                Volatile.Write(ref _partitionsAdded, new CancellationTokenSource());
                added.Cancel();
            }
        }
    }

    public WatermarkOffsets Watermarks(TopicPartition partition) =>
        _watermarks.Value.QueryWatermarkOffsets(partition, MetadataTimeout);

    public void Dispose()
    {
        if (_watermarks.IsValueCreated)
        {
            _watermarks.Value.Dispose();
        }

        if (_admin.IsValueCreated)
        {
            _admin.Value.Dispose();
        }

        EmbeddedCluster?.Dispose();
    }

    [LoggerMessage(LogEventIds.EmbeddedClusterStarted, LogLevel.Information, "No Kafka:BootstrapServers configured; started the embedded mock cluster at {Bootstrap}")]
    private static partial void LogEmbedded(ILogger logger, string bootstrap);

    [LoggerMessage(LogEventIds.LibrdkafkaLog, LogLevel.Debug, "librdkafka {Name}: {Message}")]
    private static partial void LogKafka(ILogger logger, string name, string message);

    [LoggerMessage(LogEventIds.KafkaError, LogLevel.Warning, "Kafka error {Code}: {Reason}")]
    private static partial void LogKafkaError(ILogger logger, ErrorCode code, string reason);

    [LoggerMessage(LogEventIds.KafkaErrorAgain, LogLevel.Debug, "Kafka error {Code} (again): {Reason}")]
    private static partial void LogKafkaErrorRepeated(ILogger logger, ErrorCode code, string reason);
}
