using EventStreams.Server.Catalog;
using Microsoft.Extensions.Options;

namespace EventStreams.Server.Kafka;

/// <summary>With the embedded broker, creates every catalogued topic (the mock cluster has no CreateTopics API).</summary>
internal sealed class EmbeddedTopics(KafkaClients kafka, StreamCatalog catalog, IOptions<KafkaOptions> options) : IHostedService
{
    private readonly HashSet<string> _created = new(StringComparer.Ordinal);

    public Task StartAsync(CancellationToken cancellationToken)
    {
        if (kafka.EmbeddedCluster is not null && options.Value.EmbeddedCreateTopics)
        {
            Create(catalog.Current);
            catalog.Changed += Create;
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        catalog.Changed -= Create;
        return Task.CompletedTask;
    }

    private void Create(StreamCatalogSnapshot snapshot)
    {
        lock (_created)
        {
            foreach (var topic in snapshot.AllTopics.Where(_created.Add))
            {
                kafka.EmbeddedCluster!.CreateTopic(topic, options.Value.EmbeddedPartitions);
            }
        }
    }
}
