namespace EventStreams.Fleet;

/// <summary>A <see cref="FleetLoad"/>'s clients running against a <see cref="Fleet"/>, through its balancer.</summary>
public sealed class FleetRun : IAsyncDisposable
{
    private readonly Fleet _fleet;
    private readonly HttpClient _http;
    private readonly CancellationTokenSource _stop = new();
    private readonly List<Task> _running;

    private FleetRun(Fleet fleet, FleetLoad load)
    {
        _fleet = fleet;
        _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = int.MaxValue, PooledConnectionIdleTimeout = TimeSpan.FromSeconds(5) })
        {
            Timeout = Timeout.InfiniteTimeSpan,
        };
        var partitions = fleet.Producer.Partitions;
        Clients =
        [
            .. Enumerable.Range(0, load.SseClients).Select(i => (FleetClient)new SseFleetClient($"sse{i}", fleet.Address, _http, partitions, Silence, load.SseReconnectionTime)),
            .. Enumerable.Range(0, load.HubClients).Select(i => (FleetClient)new HubFleetClient($"hub{i}", fleet.Address, partitions, Silence, load.HubMaxReconnectDelay)),
        ];
        _running = [.. Clients.Select(c => Task.Run(() => c.RunAsync(_stop.Token)))];
    }

    public IReadOnlyList<FleetClient> Clients { get; }

    public SilenceWindow Silence { get; } = new();

    public static FleetRun Start(Fleet fleet, FleetLoad load) => new(fleet, load);

    /// <summary>Waits until every client's first stream has started.</summary>
    public async Task WaitStartedAsync(TimeSpan timeout)
    {
        try
        {
            await WaitUntilAsync(() => Clients.All(c => c.Connections > 0 || c.Fatal > 0), timeout);
        }
        catch (TimeoutException)
        {
            var waiting = Clients.Where(c => c.Connections == 0 && c.Fatal == 0).ToList();
            var running = string.Join(", ", _running.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!.Message).Distinct());
            throw new TimeoutException($"{waiting.Count} of {Clients.Count} clients not started within {timeout}: " +
                string.Join("; ", waiting.Take(5).Select(c => $"{c.Name}: {c.LastError ?? "no error"}")) + (running.Length > 0 ? $"; failed: {running}" : ""));
        }
    }

    /// <summary>
    /// Waits until every client has received every event produced so far, or gave up (a fatal answer); true only when every
    /// client has everything (false on a timeout or when a client gave up: the tally then shows what is missing).
    /// </summary>
    public async Task<bool> WaitDeliveredAsync(TimeSpan timeout)
    {
        var producer = _fleet.Producer;
        bool HasAll(FleetClient c) => Enumerable.Range(0, producer.Partitions).All(p => c.Received(p) >= producer.Produced(p));
        try
        {
            await WaitUntilAsync(() => Clients.All(c => c.Fatal > 0 || HasAll(c)), timeout);
            return Clients.All(HasAll);
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>Waits until every client has a stream again (after cuts: every cut client has reconnected).</summary>
    public Task WaitStreamingAsync(TimeSpan timeout) => WaitUntilAsync(() => _fleet.Balancer.Routes.LiveClients == Clients.Count(c => c.Fatal == 0), timeout);

    public FleetTally Tally() => FleetTally.Of(Clients, _fleet.Producer, _fleet.Balancer.Routes);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await Task.WhenAll(_running).WaitAsync(TimeSpan.FromSeconds(30));
        _http.Dispose();
        _stop.Dispose();
    }

    private static async Task WaitUntilAsync(Func<bool> condition, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"Not reached within {timeout}.");
            }

            await Task.Delay(50);
        }
    }
}
