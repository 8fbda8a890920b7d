using EventStreams.Server.Kafka;

namespace EventStreams.Fleet;

/// <summary>
/// Several real server instances on one broker (librdkafka's mock cluster) behind a YARP load balancer
/// (<see cref="FleetBalancer"/>): what an operator runs, for the fleet test and the <c>fleet</c>/<c>roll</c> benchmarks. The
/// broker, the balancer and the clients run in this process; the instances too, or each in a process of its own
/// (<see cref="FleetOptions.Processes"/>). Every instance serves the stream <see cref="Stream"/> (one topic of
/// <see cref="FleetOptions.Partitions"/> partitions); an instance can be restarted on its port as a rolling restart does.
/// </summary>
public sealed class Fleet : IAsyncDisposable
{
    public const string Stream = "fleet.events";

    /// <summary>For an instance to start, stop, or be seen ready by the balancer (a process starts in 15–25 s at load 30 on 2 cores).</summary>
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(120);

    private readonly FleetOptions _options;
    private readonly string _configPath;
    private readonly IFleetInstance?[] _instances;
    private readonly int[] _ports;
    private readonly TimeSpan[] _processorTimeBefore;

    private Fleet(FleetOptions options, MockCluster cluster, string configPath, int count)
    {
        _options = options;
        Cluster = cluster;
        _configPath = configPath;
        _instances = new IFleetInstance?[count];
        _ports = new int[count];
        _processorTimeBefore = new TimeSpan[count];
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

    /// <summary>Where instance <paramref name="index"/> listens, bypassing the balancer (its <c>/metrics</c>, say).</summary>
    public Uri InstanceAddress(int index) => new($"http://127.0.0.1:{_ports[index]}/");

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
    /// The CPU time each instance has used, its earlier runs included (instances in processes; zero in this process). A run's
    /// time after the last sample before its SIGTERM (its drain) is not counted.
    /// </summary>
    public IReadOnlyList<TimeSpan> ProcessorTimes() =>
        [.. _instances.Select((instance, i) => _processorTimeBefore[i] + (instance?.ProcessorTime ?? TimeSpan.Zero))];

    /// <summary>The process of each running instance (null while it restarts).</summary>
    public IReadOnlyList<int?> ProcessIds() => [.. _instances.Select(instance => instance?.ProcessId)];

    /// <summary>
    /// A rolling restart's step: stops instance <paramref name="index"/> as SIGTERM does (drain, then exit), starts it
    /// again on the same port and returns once the balancer sends it clients again.
    /// </summary>
    public async Task RestartAsync(int index)
    {
        var instance = _instances[index]!;
        _processorTimeBefore[index] += instance.ProcessorTime;
        _instances[index] = null;
        Log.Add($"instance{index}: stopping");
        await instance.StopAsync(StartTimeout);
        Log.Add($"instance{index}: stopped");
        await instance.DisposeAsync();
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

        foreach (var instance in _instances.OfType<IFleetInstance>())
        {
            await instance.DisposeAsync();
        }

        Producer.Dispose();
        Cluster.Dispose();
        File.Delete(_configPath);
    }

    private async Task StartInstanceAsync(int index, int port)
    {
        string[] args =
        [
            $"--Kafka:BootstrapServers={Cluster.BootstrapServers}",
            "--Kafka:Consumer:fetch.wait.max.ms=10",
            $"--StreamConfig:Uri={_configPath}",
            "--Demo:Enabled=false",
            "--Logging:LogLevel:Default=Warning",
            $"--Streaming:IdFormat={_options.IdFormat}",
            $"--Shutdown:DrainSeconds={_options.DrainSeconds}",
            $"--Shutdown:RetryMilliseconds={_options.RetryMilliseconds}",
            .. _options.ServerSettings,
        ];
        var instance = _options.Processes
            ? await ProcessInstance.StartAsync(args, port, StartTimeout)
            : await InProcessInstance.StartAsync([$"--urls=http://127.0.0.1:{port}", .. args], StartTimeout);
        _ports[index] = instance.Port;
        _instances[index] = instance;
    }
}
