using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using EventStreams.Bench.Load;

namespace EventStreams.Bench.Driver;

/// <summary>Runs one scenario against one server: broker, server and load generator each in a process of their own.</summary>
internal sealed class ScenarioRunner(BenchSettings settings)
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    public async Task<Measurement> RunAsync(Scenario scenario, ServerKind kind, int attempt = 1)
    {
        var logs = Path.Combine(settings.LogDirectory, $"{scenario.Id}-{kind}{(attempt > 1 ? $"-{attempt}" : "")}".ToLowerInvariant());
        var port = FreePort();
        ChildProcess? broker = null;
        ChildProcess? server = null;
        ChildProcess? load = null;
        ChildProcess? inner = null;
        try
        {
            var small = new Dictionary<string, string> { ["DOTNET_gcServer"] = "0", ["DOTNET_GCgen0size"] = "0x4000000" };
            string? bootstrap = null;
            if (kind != ServerKind.Ceiling)
            {
                broker = new ChildProcess("broker", settings.BenchDll, ["broker"], logs, small);
                bootstrap = await broker.ExpectAsync("@bootstrap", StartTimeout);
                await broker.ExpectAsync("@ready", StartTimeout);
                await CreateTopicsAsync(broker, scenario);
            }

            if (kind == ServerKind.Upstream)
            {
                // The front forwards to ours reading Kafka: the inner server serves the front's connections.
                var innerPort = FreePort();
                Directory.CreateDirectory(Path.Combine(logs, "inner"));
                inner = StartServer(ServerKind.Ours, scenario, innerPort, bootstrap, Path.Combine(logs, "inner"));
                await WaitForPortAsync(innerPort, inner);
                server = new ChildProcess("server", settings.ServerDll, [
                    $"--urls=http://127.0.0.1:{port}",
                    $"--Upstream:Url=http://127.0.0.1:{innerPort}",
                    "--Logging:LogLevel:Default=Warning",
                    .. settings.OursArgs,
                ], logs, settings.OursEnv);
            }
            else
            {
                server = StartServer(kind, scenario, port, bootstrap, logs);
            }

            Console.WriteLine($"    {kind}: server pid {server.Pid}, logs {logs}");
            var source = broker ?? server;
            if (kind == ServerKind.Ceiling)
            {
                await server.ExpectAsync("@ready", StartTimeout);
                await CreateTopicsAsync(server, scenario);
            }

            await WaitForPortAsync(port, server);
            if (scenario.Fill > 0)
            {
                await source.AskAsync($"fill {scenario.Topics[0].Name} {scenario.Fill}", "@ok fill", TimeSpan.FromMinutes(5));
            }

            var initialRate = scenario.SaturationRates?[0] ?? scenario.RatePerTopic;
            if (!scenario.IdlePhase)
            {
                await SetRateAsync(source, scenario, initialRate);
            }

            if (scenario.IdlePhase)
            {
                // One client first, so that one-time costs (JIT of the streaming path, Kafka clients and their
                // threads) are not charged to the idle connections measured next.
                await WarmUpAsync(port, scenario.Groups[0].ToClientGroup().Path);
            }

            if (scenario.Fill > 0)
            {
                // Like the other scenarios' windows, catch-up is measured on a warm server: a first client reads the
                // same backlog for a while, so the JIT's tier-up of the catch-up path is not charged to the window.
                var group = scenario.Groups[0].ToClientGroup();
                if (scenario.WarmBacklog)
                {
                    await ReadAllAsync(port, group, TimeSpan.FromMinutes(3));
                }
                else
                {
                    await WarmUpAsync(port, group.Path, group.LastEventId, TimeSpan.FromSeconds(2));
                }
            }

            // Let the runtime settle (JIT, first GCs) before the idle baseline is taken.
            await Task.Delay(TimeSpan.FromSeconds(1));
            var rssBefore = server.Stats().RssBytes;
            var specPath = Path.Combine(logs, "load.json");
            var groups = scenario.Groups.Select(g => g.ToClientGroup())
                .Select(g => settings.DotNetHubClient && g.Transport == ClientTransport.Hub ? g with { Transport = ClientTransport.HubDotNetClient } : g);
            var spec = new LoadSpec(port, [.. groups], BufferBytes: scenario.Clients > 2000 ? 8192 : 16384);
            await File.WriteAllTextAsync(specPath, JsonSerializer.Serialize(spec, LoadGenerator.Json));
            // Like ../shared/tools/loadgen, socket completions run on the epoll threads rather than hop to the thread pool:
            // at 10,000 connections the hop's queueing was the load generator's own latency, added to every server's p99.
            // Not for the .NET SignalR client, whose completions may run arbitrary code.
            var loadEnv = spec.Groups.Any(g => g.Transport == ClientTransport.HubDotNetClient) ? small
                : new Dictionary<string, string>(small) { ["DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS"] = "1" };
            load = new ChildProcess("load", settings.BenchDll, ["load", specPath], logs, loadEnv);
            await load.ExpectAsync("@connected", TimeSpan.FromSeconds(Math.Max(60, scenario.Clients / 50.0)));
            long rssConnected = 0;
            if (scenario.IdlePhase)
            {
                await Task.Delay(TimeSpan.FromSeconds(2));
                rssConnected = server.Stats().RssBytes;
                await SetRateAsync(source, scenario, initialRate);
            }

            using var peak = new PeakSampler(server);
            var steps = new List<SaturationStep>();
            double serverCpu = 0, loadCpu = 0, brokerCpu = 0, innerCpu = 0;
            LoadResult? window = null;
            LatencySummary? joining = null;
            foreach (var rate in scenario.SaturationRates ?? [scenario.RatePerTopic])
            {
                if (scenario.SaturationRates is not null)
                {
                    await SetRateAsync(source, scenario, rate);
                }

                if (scenario.Fill > 0)
                {
                    // Catch-up: the window is the time to read the backlog.
                    await load.SendAsync("window");
                    var (s0, l0, b0) = (server.Stats(), load.Stats(), broker?.Stats() ?? default);
                    await load.ExpectAsync("@caughtup", TimeSpan.FromMinutes(3));
                    await load.SendAsync("endwindow");
                    window = Parse(await load.ExpectAsync("@window", TimeSpan.FromSeconds(30)));
                    (serverCpu, loadCpu, brokerCpu) = (server.Stats().CpuSeconds - s0.CpuSeconds, load.Stats().CpuSeconds - l0.CpuSeconds, (broker?.Stats() ?? default).CpuSeconds - b0.CpuSeconds);
                    break;
                }

                await Task.Delay(TimeSpan.FromSeconds(scenario.WarmupSeconds));
                var (sa, la, ba, ia) = (server.Stats(), load.Stats(), broker?.Stats() ?? default, inner?.Stats() ?? default);
                await load.AskAsync("window", "@ok window", TimeSpan.FromSeconds(30));
                var windowEnds = Task.Delay(TimeSpan.FromSeconds(scenario.WindowSeconds));
                if (joining is null && scenario.Groups[0].Kind == ClientKind.Normal)
                {
                    // Fresh clients joining the running stream, during the first window.
                    await load.SendAsync("probe 20");
                    joining = JsonSerializer.Deserialize<LatencySummary>(await load.ExpectAsync("@probe", TimeSpan.FromSeconds(120)), LoadGenerator.Json);
                }

                await windowEnds;
                await load.SendAsync("endwindow");
                var (sb, lb, bb, ib) = (server.Stats(), load.Stats(), broker?.Stats() ?? default, inner?.Stats() ?? default);
                innerCpu = ib.CpuSeconds - ia.CpuSeconds;
                window = Parse(await load.ExpectAsync("@window", TimeSpan.FromSeconds(30)));
                (serverCpu, loadCpu, brokerCpu) = (sb.CpuSeconds - sa.CpuSeconds, lb.CpuSeconds - la.CpuSeconds, bb.CpuSeconds - ba.CpuSeconds);
                if (scenario.SaturationRates is not null)
                {
                    var step = new SaturationStep(rate, scenario.Offered(rate), window.WindowEvents / window.WindowSeconds, window.Latency, serverCpu, loadCpu, brokerCpu, window.WindowSeconds);
                    steps.Add(step);
                    Console.WriteLine($"    {kind} rate {rate}/s: offered {step.Offered:N0}/s delivered {step.Delivered:N0}/s p99 {step.Latency.P99Ms:F1} ms cpu {serverCpu / window.WindowSeconds:P0}");
                    if (!step.KeptUp)
                    {
                        break;
                    }
                }
            }

            // Stop producing, then tell the load generator the last sequence numbers so it can count who kept up.
            await SetRateAsync(source, scenario, 0);
            await Task.Delay(TimeSpan.FromMilliseconds(300));
            var finals = new List<string>();
            foreach (var topic in scenario.Topics)
            {
                var answer = await source.AskAsync($"seq {topic.Name}", "@seq " + topic.Name, TimeSpan.FromSeconds(10));
                var seqs = answer.Split(',');
                finals.AddRange(seqs.Select((s, p) => $"{topic.Keys[p]}={s}"));
            }

            if (server.HasExited)
            {
                // Seen once on the shared machine: a shutdown signal from outside ("Application is shutting down").
                throw new InvalidOperationException("the server process exited during the measurement");
            }

            await load.SendAsync("final " + string.Join(',', finals));
            var final = Parse(await load.ExpectAsync("@result", TimeSpan.FromSeconds(90)));
            var result = final with { WindowSeconds = window!.WindowSeconds, WindowEvents = window.WindowEvents, WindowBytes = window.WindowBytes, Latency = window.Latency };
            return new Measurement(scenario, kind, null, result, serverCpu, loadCpu, brokerCpu, rssBefore, rssConnected, Math.Max(peak.Peak, server.Stats().RssBytes), steps, joining, InnerCpuSeconds: innerCpu);
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException or IOException)
        {
            Console.WriteLine($"    {kind}: {e.Message}");
            return new Measurement(scenario, kind, e.Message, null, 0, 0, 0, 0, 0, server?.Stats().PeakRssBytes ?? 0, []);
        }
        finally
        {
            foreach (var child in new[] { load, server, inner, broker })
            {
                if (child is not null)
                {
                    await child.DisposeAsync();
                }
            }
        }
    }

    /// <summary>One client that connects, reads for <paramref name="readFor"/> (or just the first bytes) and leaves.</summary>
    private static async Task WarmUpAsync(int port, string path, string? lastEventId = null, TimeSpan? readFor = null)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri($"http://127.0.0.1:{port}{path}"));
        if (lastEventId is not null)
        {
            request.Headers.Add("Last-Event-ID", lastEventId);
        }

        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = new byte[64 * 1024];
        // The first bytes, or everything until readFor has passed (a drained backlog goes quiet: the ceiling sends no heartbeats).
        using var stop = new CancellationTokenSource(readFor ?? TimeSpan.FromSeconds(30));
        try
        {
            while (await body.ReadAsync(buffer, stop.Token) > 0 && !stop.IsCancellationRequested && readFor is not null)
            {
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
        }

        await Task.Delay(TimeSpan.FromSeconds(1));
    }

    /// <summary>One catch-up client that reads its whole backlog (<see cref="ClientGroup.Target"/> events), then leaves.</summary>
    private static async Task ReadAllAsync(int port, ClientGroup group, TimeSpan timeout)
    {
        var client = new SseConnection(group, new LoadWindow());
        using var stop = new CancellationTokenSource();
        var run = client.RunAsync(port, 65536, Task.CompletedTask, stop.Token);
        var reading = Stopwatch.StartNew();
        while (client.CaughtUpAt == 0 && !run.IsCompleted && reading.Elapsed < timeout)
        {
            await Task.Delay(50);
        }

        await stop.CancelAsync();
        await run;
        if (client.CaughtUpAt == 0)
        {
            throw new TimeoutException($"the first client did not read the backlog within {timeout.TotalSeconds} s ({client.Events} events)");
        }

        await Task.Delay(TimeSpan.FromSeconds(1));
    }

    private static LoadResult Parse(string json) => JsonSerializer.Deserialize<LoadResult>(json, LoadGenerator.Json)!;

    /// <summary>Our server or the baseline on <paramref name="port"/>, reading <paramref name="bootstrap"/> (the ceiling needs none).</summary>
    internal ChildProcess StartServer(ServerKind kind, Scenario scenario, int port, string? bootstrap, string logs, int? fetchWaitMs = null)
    {
        var fetchWait = fetchWaitMs ?? settings.FetchWaitMs;
        var urls = $"--urls=http://127.0.0.1:{port}";
        switch (kind)
        {
            case ServerKind.Ours:
                var config = Path.Combine(logs, "streams.yaml");
                File.WriteAllText(config, "streams:\n" + string.Concat(scenario.Topics.Select(t => $"  {t.Name}:\n    topics: [{t.Name}]\n")));
                return new ChildProcess("server", settings.ServerDll, [
                    urls,
                    $"--Kafka:BootstrapServers={bootstrap}",
                    $"--Kafka:Consumer:fetch.wait.max.ms={fetchWait}",
                    $"--StreamConfig:Uri={config}",
                    "--Demo:Enabled=false",
                    "--Logging:LogLevel:Default=Warning",
                    .. settings.OursArgs,
                ], logs, settings.OursEnv);
            case ServerKind.Baseline:
                return new ChildProcess("server", settings.BenchDll, ["baseline", urls, $"--Kafka:BootstrapServers={bootstrap}", $"--Kafka:FetchWaitMaxMs={fetchWait}"], logs);
            default:
                return new ChildProcess("server", settings.BenchDll, ["ceiling", urls], logs);
        }
    }

    internal static async Task CreateTopicsAsync(ChildProcess source, Scenario scenario)
    {
        foreach (var topic in scenario.Topics)
        {
            await source.AskAsync($"topic {topic.Name} {topic.Partitions} {topic.Index}", "@ok topic", StartTimeout);
        }
    }

    internal static async Task SetRateAsync(ChildProcess source, Scenario scenario, double rate)
    {
        if (scenario.Fill > 0)
        {
            return;
        }

        foreach (var topic in scenario.Topics)
        {
            await source.AskAsync(string.Create(CultureInfo.InvariantCulture, $"rate {topic.Name} {rate}"), "@ok rate", StartTimeout);
        }
    }

    /// <summary>A free port for a server: any (port 0), or one of <c>BENCH_PORTS=first-last</c> when the machine's ports are shared out.</summary>
    internal static int FreePort()
    {
        var range = Environment.GetEnvironmentVariable("BENCH_PORTS")?.Split('-');
        if (range is not { Length: 2 })
        {
            return Bind(0)!.Value;
        }

        var (first, last) = (int.Parse(range[0], CultureInfo.InvariantCulture), int.Parse(range[1], CultureInfo.InvariantCulture));
        var start = Random.Shared.Next(first, last + 1);
        for (var i = 0; i <= last - first; i++)
        {
            if (Bind(first + ((start - first + i) % (last - first + 1))) is { } port)
            {
                return port;
            }
        }

        throw new InvalidOperationException($"No free port in BENCH_PORTS={first}-{last}.");

        static int? Bind(int port)
        {
            try
            {
                using var listener = new TcpListener(IPAddress.Loopback, port);
                listener.Start();
                return ((IPEndPoint)listener.LocalEndpoint).Port;
            }
            catch (SocketException) when (port != 0)
            {
                return null;
            }
        }
    }

    internal static async Task WaitForPortAsync(int port, ChildProcess server)
    {
        var deadline = Stopwatch.GetTimestamp() + (StartTimeout.Ticks * Stopwatch.Frequency / TimeSpan.TicksPerSecond);
        while (Stopwatch.GetTimestamp() < deadline && !server.HasExited)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(100);
            }
        }

        throw new TimeoutException($"The server did not listen on port {port} (exited: {server.HasExited}).");
    }

    /// <summary>Samples the server's RSS every 200 ms (VmHWM is per process lifetime; this is per scenario).</summary>
    private sealed class PeakSampler : IDisposable
    {
        private readonly CancellationTokenSource _stop = new();
        private long _peak;

        public PeakSampler(ChildProcess process) => _ = Task.Run(async () =>
        {
            while (!_stop.IsCancellationRequested)
            {
                _peak = Math.Max(_peak, process.Stats().RssBytes);
                await Task.Delay(200).ConfigureAwait(false);
            }
        });

        public long Peak => _peak;

        public void Dispose() => _stop.Cancel();
    }
}
