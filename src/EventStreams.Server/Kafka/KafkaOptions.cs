using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace EventStreams.Server.Kafka;

/// <summary>The <c>Kafka</c> configuration section; validated at start, so that a typo fails with the key's name.</summary>
public sealed class KafkaOptions : IValidatableObject
{
    public const string Section = "Kafka";

    /// <summary>Broker list; empty starts the embedded mock cluster.</summary>
    public string BootstrapServers { get; set; } = "";

    /// <summary>Any librdkafka consumer setting, e.g. <c>Kafka:Consumer:fetch.wait.max.ms</c>.</summary>
    public Dictionary<string, string> Consumer { get; } = new(StringComparer.Ordinal);

    /// <summary>Partitions for topics the embedded broker creates.</summary>
    [Range(1, 10000)]
    public int EmbeddedPartitions { get; set; } = 1;

    /// <summary>Whether the embedded broker creates every catalogued topic at start and on reload.</summary>
    public bool EmbeddedCreateTopics { get; set; } = true;

    public bool UsesEmbeddedBroker => string.IsNullOrWhiteSpace(BootstrapServers);

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!UsesEmbeddedBroker && !BootstrapServers.Split(',').All(IsBroker))
        {
            yield return new ValidationResult(
                $"Kafka:BootstrapServers must be a comma-separated list of host:port (got \"{BootstrapServers}\").", [nameof(BootstrapServers)]);
        }

        foreach (var key in Consumer.Keys.Where(key => string.IsNullOrWhiteSpace(key) || key.Any(char.IsWhiteSpace)))
        {
            yield return new ValidationResult($"Kafka:Consumer: \"{key}\" is not a librdkafka setting name.", [nameof(Consumer)]);
        }
    }

    /// <summary><c>host:port</c>, optionally after a listener name (<c>PLAINTEXT://</c>), as librdkafka reads it.</summary>
    private static bool IsBroker(string entry)
    {
        var broker = entry.Trim();
        var scheme = broker.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            broker = broker[(scheme + 3)..];
        }

        var colon = broker.LastIndexOf(':');
        return colon > 0
            && int.TryParse(broker[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            && port is > 0 and <= 65535;
    }
}
