namespace EventStreams.Server.Kafka;

/// <summary>The <c>Kafka</c> configuration section.</summary>
public sealed class KafkaOptions
{
    public const string Section = "Kafka";

    /// <summary>Broker list; empty starts the embedded mock cluster.</summary>
    public string BootstrapServers { get; set; } = "";

    /// <summary>Any librdkafka consumer setting, e.g. <c>Kafka:Consumer:fetch.wait.max.ms</c>.</summary>
    public Dictionary<string, string> Consumer { get; } = new(StringComparer.Ordinal);

    /// <summary>Partitions for topics the embedded broker creates.</summary>
    public int EmbeddedPartitions { get; set; } = 1;

    /// <summary>Whether the embedded broker creates every catalogued topic at start and on reload.</summary>
    public bool EmbeddedCreateTopics { get; set; } = true;

    public bool UsesEmbeddedBroker => string.IsNullOrWhiteSpace(BootstrapServers);
}
