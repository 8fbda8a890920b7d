using EventStreams.TestSupport;
using System.Text;
using Confluent.Kafka;
using EventStreams.Server.Hosting;
using EventStreams.Server.Kafka;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace EventStreams.IntegrationTests;

/// <summary>
/// The real server on Kestrel at 127.0.0.1:0 with its embedded mock cluster, a stream config of the test's own,
/// and a producer for the test to write events with.
/// </summary>
public sealed class TestServer : IAsyncDisposable
{
    private readonly string _configPath;
    private readonly Lazy<IProducer<byte[]?, byte[]?>> _producer;

    private TestServer(WebApplication app, string configPath)
    {
        App = app;
        _configPath = configPath;
        Kafka = app.Services.GetRequiredService<KafkaClients>();
        BaseAddress = ServerAddress.Of(app);
        _producer = new(() => Kafka.CreateProducer(c => c.LingerMs = 0));
    }

    public WebApplication App { get; }

    public KafkaClients Kafka { get; }

    public MockCluster Cluster => Kafka.EmbeddedCluster!;

    public Uri BaseAddress { get; }

    public HttpClient CreateClient() => new() { BaseAddress = BaseAddress, Timeout = Timeout.InfiniteTimeSpan };

    /// <summary>Starts a server whose catalogue is <paramref name="streamConfigYaml"/>; topics it names are created with <paramref name="partitions"/> partitions.</summary>
    public static Task<TestServer> StartAsync(string streamConfigYaml, int partitions = 1, params string[] settings) =>
        StartAsync(streamConfigYaml, configure: null, partitions, settings);

    /// <summary>As above, with <paramref name="configure"/> applied to the builder (test-only services, middleware through an <c>IStartupFilter</c>).</summary>
    public static async Task<TestServer> StartAsync(string streamConfigYaml, Action<WebApplicationBuilder>? configure, int partitions = 1, params string[] settings)
    {
        var configPath = Path.Combine(Path.GetTempPath(), $"eventstreams-test-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(configPath, streamConfigYaml);
        string[] args =
        [
            "--urls=http://127.0.0.1:0",
            $"--StreamConfig:Uri={configPath}",
            "--Demo:Enabled=false",
            $"--Kafka:EmbeddedPartitions={partitions}",
            "--Logging:LogLevel:Default=Warning",
            // A test's server stops at once; the drain's wait for load balancers is tested where it is set.
            "--Shutdown:DrainSeconds=0",
            .. settings,
        ];
        var app = EventStreamsApp.Create(args, configure);
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return new TestServer(app, configPath);
    }

    public async Task<DeliveryResult<byte[]?, byte[]?>> ProduceAsync(string topic, int partition, string json, string? key = null, DateTimeOffset? timestamp = null)
    {
        var message = new Message<byte[]?, byte[]?>
        {
            Key = key is null ? null : Encoding.UTF8.GetBytes(key),
            Value = Encoding.UTF8.GetBytes(json),
            Timestamp = timestamp is { } t ? new Timestamp(t) : Timestamp.Default,
        };
        return await _producer.Value.ProduceAsync(new TopicPartition(topic, partition), message).WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async ValueTask DisposeAsync()
    {
        if (_producer.IsValueCreated)
        {
            _producer.Value.Dispose();
        }

        await App.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await App.DisposeAsync();
        File.Delete(_configPath);
    }
}
