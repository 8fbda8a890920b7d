using EventStreams.TestSupport;
using EventStreams.Server.Hosting;
using EventStreams.Server.Kafka;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace EventStreams.Fleet;

/// <summary>
/// Several real server instances on one broker (librdkafka's mock cluster) behind a YARP load balancer
/// (<see cref="FleetBalancer"/>): what an operator runs, in one process, for the fleet test and the <c>fleet</c>/<c>roll</c>
/// benchmarks. Every instance serves the stream <see cref="Stream"/> (one topic of <see cref="FleetOptions.Partitions"/>
/// partitions); an instance can be restarted on its port as a rolling restart does.
/// </summary>
public sealed class Fleet : IAsyncDisposable
{
    public const string Stream = "fleet.events";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly FleetOptions _options;
    private readonly string _configPath;
    private readonly WebApplication?[] _instances;
    private readonly int[] _ports;

    private Fleet(FleetOptions options, MockCluster cluster, string configPath, int count)
    {
        _options = options;
        Cluster = cluster;
        _configPath = configPath;
        _instances = new WebApplication?[count];
        _ports = new int[count];
        Producer = new FleetProducer(cluster.BootstrapServers, options.Partitions);
    }

    public MockCluster Cluster { get; }

    public FleetBalancer Balancer { get; private set; } = null!;

    public FleetProducer Producer { get; }

    /// <summary>Restart phases and the balancer's failed forwards, timed.</summary>
    public FleetLog Log { get; } = new();

    /// <summary>Where clients connect: the balancer.</summary>
    public Uri Address => Balancer.Address;

    public int Instances => _instances.Length;

    public static async Task<Fleet> StartAsync(FleetOptions options)
    {
        var cluster = new MockCluster();
        cluster.CreateTopic(Stream, options.Partitions);
        var configPath = Path.Combine(Path.GetTempPath(), $"eventstreams-fleet-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(configPath, $"streams:\n  {Stream}:\n    topics: [{Stream}]\n");
        var fleet = new Fleet(options, cluster, configPath, options.Instances);
        for (var i = 0; i < options.Instances; i++)
        {
            await fleet.StartInstanceAsync(i, port: 0);
        }

        fleet.Balancer = await FleetBalancer.StartAsync(fleet._ports.Select(port => new Uri($"http://127.0.0.1:{port}/")).ToList(), options.HealthCheckInterval, options.MoveEachReconnect, fleet.Log);
        await fleet.Balancer.WaitHealthyAsync(Enumerable.Range(0, options.Instances), StartTimeout, after: TimeSpan.Zero);
        return fleet;
    }

    /// <summary>
    /// A rolling restart's step: stops instance <paramref name="index"/> as SIGTERM does (the host stops: drain, then exit),
    /// starts it again on the same port and returns once the balancer sends it clients again.
    /// </summary>
    public async Task RestartAsync(int index)
    {
        var app = _instances[index]!;
        _instances[index] = null;
        Log.Add($"instance{index}: stopping");
        await app.StopAsync().WaitAsync(StartTimeout);
        Log.Add($"instance{index}: stopped");
        await app.DisposeAsync();
        await StartInstanceAsync(index, _ports[index]);
        var started = Log.Elapsed;
        Log.Add($"instance{index}: started");
        await Balancer.WaitHealthyAsync([index], StartTimeout, after: started);
        Log.Add($"instance{index}: healthy at the balancer");
    }

    public async ValueTask DisposeAsync()
    {
        if (Balancer is not null)
        {
            await Balancer.DisposeAsync();
        }

        foreach (var app in _instances.OfType<WebApplication>())
        {
            using var now = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await app.StopAsync(now.Token).WaitAsync(StartTimeout);
            }
            catch (OperationCanceledException)
            {
                // Stopped without waiting for the drain: the run is over.
            }

            await app.DisposeAsync();
        }

        Producer.Dispose();
        Cluster.Dispose();
        File.Delete(_configPath);
    }

    private async Task StartInstanceAsync(int index, int port)
    {
        string[] args =
        [
            $"--urls=http://127.0.0.1:{port}",
            $"--Kafka:BootstrapServers={Cluster.BootstrapServers}",
            "--Kafka:Consumer:fetch.wait.max.ms=10",
            $"--StreamConfig:Uri={_configPath}",
            "--Demo:Enabled=false",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Warning",
            $"--Streaming:IdFormat={_options.IdFormat}",
            $"--Shutdown:DrainSeconds={_options.DrainSeconds}",
            $"--Shutdown:RetryMilliseconds={_options.RetryMilliseconds}",
            .. _options.ServerSettings,
        ];
        var app = EventStreamsApp.Create(args);
        await app.StartAsync().WaitAsync(StartTimeout);
        _ports[index] = ServerAddress.Of(app).Port;
        _instances[index] = app;
    }
}
