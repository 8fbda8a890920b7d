using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using EventStreams.Bench.Load;

namespace EventStreams.Bench.Driver;

/// <summary>
/// Issue 17 item 4 (<c>kafka-load</c>): what the Kafka cluster sees as clients and instances grow, for ours (one shared
/// reader per instance) and the one-consumer-per-client baseline (the reference service's design). For each server,
/// instance count and client count: a fresh broker, the instances, the clients spread round-robin over the instances;
/// after a warm-up, the broker counts the requests it receives in a window (librdkafka's mock request tracking) and
/// the TCP connections open to it. Small event rate on purpose: the Kafka-side cost is what is measured, not delivery.
/// </summary>
internal static class KafkaLoadBench
{
    /// <summary>Ours' fetch.wait.max.ms against a configured cluster (KafkaClients' default); the baseline gets the same.</summary>
    private const int FetchWaitMs = 100;
    private const double EventsPerSecond = 4;
    private static readonly TopicSpec Topic = new("bench.kafkaload", 2, 0);
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);
    private static readonly IFormatProvider Inv = CultureInfo.InvariantCulture;

    public static async Task<int> RunAsync(string[] args)
    {
        var settings = BenchSettings.Parse(args);
        string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        int[] Ints(string name, int[] fallback) => Value(name) is { } list ? [.. list.Split(',').Select(v => int.Parse(v, Inv))] : fallback;
        var clientCounts = Ints("--clients", [1, 100, 1000]);
        var instanceCounts = Ints("--instances", [1, 2, 3]);
        var window = double.Parse(Value("--window") ?? "10", Inv);
        var servers = settings.Servers.Count > 0 ? [.. settings.Servers] : new[] { ServerKind.Ours, ServerKind.Baseline };
        var runner = new ScenarioRunner(settings);
        var started = DateTime.UtcNow;
        var rows = new List<KafkaLoadRow>();
        foreach (var kind in servers)
        {
            foreach (var instances in instanceCounts)
            {
                foreach (var clients in clientCounts)
                {
                    var row = await MeasureAsync(settings, runner, kind, instances, clients, window);
                    rows.Add(row);
                    Console.WriteLine("  " + row.ToMarkdown());
                }
            }
        }

        var report = Report(rows, started, window);
        var path = Value("--out") ?? Path.Combine(settings.RepoRoot, "bench", "results", $"{started:yyyy-MM-dd-HHmm}-kafka-load.md");
        await File.WriteAllTextAsync(path, report);
        Console.WriteLine(report);
        Console.WriteLine($"Report: {path}  (process logs: {settings.LogDirectory})");
        return rows.Any(r => r.Error is not null) ? 1 : 0;
    }

    private static async Task<KafkaLoadRow> MeasureAsync(BenchSettings settings, ScenarioRunner runner, ServerKind kind, int instances, int clients, double window)
    {
        var logs = Path.Combine(settings.LogDirectory, $"kafka-load-{kind}-{instances}x{clients}".ToLowerInvariant());
        var scenario = new Scenario("kafka-load", "Kafka-side load", [Topic], [new("clients", clients, ClientKind.Normal, [Topic])], EventsPerSecond, 3, window, [kind]);
        var small = new Dictionary<string, string> { ["DOTNET_gcServer"] = "0" };
        var children = new List<ChildProcess>();
        var loadAverage = LoadAverage();
        try
        {
            var broker = Track(children, new ChildProcess("broker", settings.BenchDll, ["broker"], logs, small));
            var bootstrap = await broker.ExpectAsync("@bootstrap", Timeout);
            await broker.ExpectAsync("@ready", Timeout);
            await ScenarioRunner.CreateTopicsAsync(broker, scenario);
            await broker.AskAsync("track", "@ok track", Timeout);
            var before = Counts(await broker.AskAsync("requests", "@requests", Timeout));

            var servers = new List<(ChildProcess Process, int Port)>();
            for (var i = 0; i < instances; i++)
            {
                var port = ScenarioRunner.FreePort();
                var instanceLogs = Directory.CreateDirectory(Path.Combine(logs, $"instance{i}")).FullName;
                var server = Track(children, runner.StartServer(kind, scenario, port, bootstrap, instanceLogs, FetchWaitMs));
                await ScenarioRunner.WaitForPortAsync(port, server);
                servers.Add((server, port));
            }

            await ScenarioRunner.SetRateAsync(broker, scenario, EventsPerSecond);
            var loads = new List<ChildProcess>();
            var group = scenario.Groups[0].ToClientGroup();
            for (var i = 0; i < instances; i++)
            {
                var share = (clients / instances) + (i < clients % instances ? 1 : 0);
                if (share == 0)
                {
                    continue;
                }

                var spec = Path.Combine(logs, $"instance{i}", "load.json");
                await File.WriteAllTextAsync(spec, JsonSerializer.Serialize(new LoadSpec(servers[i].Port, [group with { Count = share }]), LoadGenerator.Json));
                loads.Add(Track(children, new ChildProcess("load", settings.BenchDll, ["load", spec], Path.Combine(logs, $"instance{i}"), small)));
            }

            foreach (var load in loads)
            {
                await load.ExpectAsync("@connected", Timeout);
            }

            await Task.Delay(TimeSpan.FromSeconds(scenario.WarmupSeconds));
            await broker.AskAsync("requests", "@requests", Timeout);
            foreach (var load in loads)
            {
                await load.AskAsync("window", "@ok window", Timeout);
            }

            var clock = Stopwatch.StartNew();
            var cpuBefore = servers.Sum(s => s.Process.Stats().CpuSeconds);
            var brokerBefore = broker.Stats().CpuSeconds;
            await Task.Delay(TimeSpan.FromSeconds(window));
            var counts = Counts(await broker.AskAsync("requests", "@requests", Timeout));
            var seconds = clock.Elapsed.TotalSeconds;
            var serverCpu = servers.Sum(s => s.Process.Stats().CpuSeconds) - cpuBefore;
            var brokerCpu = broker.Stats().CpuSeconds - brokerBefore;
            long delivered = 0, bytes = 0;
            foreach (var load in loads)
            {
                await load.SendAsync("endwindow");
                var result = JsonSerializer.Deserialize<LoadResult>(await load.ExpectAsync("@window", Timeout), LoadGenerator.Json)!;
                (delivered, bytes) = (delivered + result.WindowEvents, bytes + result.WindowBytes);
            }

            return new KafkaLoadRow(kind, instances, clients, counts["connections"] - before["connections"], counts["fetch"] / seconds,
                counts["metadata"] / seconds, (counts["listoffsets"] + counts["other"]) / seconds, delivered / seconds, delivered > 0 ? bytes / (double)delivered : 0, serverCpu / seconds, brokerCpu / seconds, loadAverage, null);
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException or IOException)
        {
            return new KafkaLoadRow(kind, instances, clients, 0, 0, 0, 0, 0, 0, 0, 0, loadAverage, e.Message);
        }
        finally
        {
            foreach (var child in Enumerable.Reverse(children))
            {
                await child.DisposeAsync();
            }
        }
    }

    /// <summary>Adds <paramref name="child"/> to those stopped at the end of a run.</summary>
    internal static ChildProcess Track(List<ChildProcess> children, ChildProcess child)
    {
        children.Add(child);
        return child;
    }

    /// <summary>The broker's <c>@requests produce=.. fetch=.. ... connections=..</c> answer as numbers.</summary>
    private static Dictionary<string, long> Counts(string answer) => answer.Split(' ').Skip(1)
        .Select(p => p.Split('='))
        .ToDictionary(p => p[0], p => long.Parse(p[1], Inv), StringComparer.Ordinal);

    internal static string LoadAverage() => File.ReadAllText("/proc/loadavg").Split(' ')[0];

    private static string Report(List<KafkaLoadRow> rows, DateTime started, double window)
    {
        var md = new StringBuilder();
        md.AppendLine(Inv, $"# Kafka-side load: ours vs one consumer per client ({started:yyyy-MM-dd HH:mm} UTC)");
        md.AppendLine();
        md.AppendLine(Inv, $"`EventStreams.Bench kafka-load`: broker librdkafka mock cluster (1 broker, its own process), one topic of {Topic.Partitions} partitions at {EventsPerSecond} events/s in all; every client reads the whole topic over SSE, clients spread round-robin over the instances; `fetch.wait.max.ms` = {FetchWaitMs} for ours and the baseline; counts over a {window} s window after a 3 s warm-up, at the broker (mock request tracking; connections from /proc/net/tcp, less the broker's own producers). Load average (1 min) at the start of each row: the machine is shared.");
        md.AppendLine();
        md.AppendLine("| Server | Instances | Clients | Kafka connections | Fetch requests/s | Metadata requests/s | Other requests/s | Delivered events/s | Bytes per event | Servers' CPU | Broker CPU | Load avg |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var row in rows)
        {
            md.AppendLine(row.ToMarkdown());
        }

        return md.ToString();
    }
}

internal sealed record KafkaLoadRow(ServerKind Server, int Instances, int Clients, long Connections, double FetchPerSecond, double MetadataPerSecond, double OtherPerSecond,
    double DeliveredPerSecond, double BytesPerEvent, double ServerCpu, double BrokerCpu, string LoadAverage, string? Error)
{
    public string ToMarkdown() => Error is not null
        ? string.Create(CultureInfo.InvariantCulture, $"| {Server} | {Instances} | {Clients:N0} | failed: {Error} | | | | | | | | {LoadAverage} |")
        : string.Create(CultureInfo.InvariantCulture, $"| {Server} | {Instances} | {Clients:N0} | {Connections:N0} | {FetchPerSecond:N1} | {MetadataPerSecond:N1} | {OtherPerSecond:N1} | {DeliveredPerSecond:N0} | {BytesPerEvent:N0} | {ServerCpu:P0} | {BrokerCpu:P0} | {LoadAverage} |");
}
