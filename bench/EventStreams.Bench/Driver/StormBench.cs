using System.Diagnostics;
using System.Globalization;
using System.Text;
using EventStreams.Bench.Load;

namespace EventStreams.Bench.Driver;

/// <summary>
/// Issue 14 item 3 (<c>storm</c>): a reconnect storm after a deploy. A broker produces at <c>--rate</c>; a first server
/// runs while a recorder client keeps every event's id (as that server wrote it) for <c>--history</c> seconds; the
/// server is stopped and a fresh process started (the deploy); then <c>--clients</c> clients connect to it at once,
/// client i resuming with the id of the last event the recorder had <c>history·(i+1)/clients</c> seconds into its
/// record (ids spread over the last <c>--history</c> seconds). Every client knows the sequence number it must get next
/// on every partition, so it counts exactly what it loses and what it gets twice; it has caught up when it has every
/// event that existed when the storm began. The run samples the new server's RSS and threads and the broker's TCP
/// connections (the shared reader and each catch-up reader have one: clients near one position share one read).
/// </summary>
internal static class StormBench
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(120);
    private static readonly IFormatProvider Inv = CultureInfo.InvariantCulture;

    public static async Task<int> RunAsync(string[] args)
    {
        var settings = BenchSettings.Parse(args);
        string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        var options = new StormOptions(
            int.Parse(Value("--clients") ?? "2000", Inv),
            double.Parse(Value("--rate") ?? "10", Inv),
            double.Parse(Value("--history") ?? "60", Inv),
            int.Parse(Value("--partitions") ?? "2", Inv),
            double.Parse(Value("--target") ?? "10", Inv));
        var started = DateTime.UtcNow;
        var result = await MeasureAsync(settings, options);
        var report = Report(settings, options, result, started);
        var path = Value("--out") ?? Path.Combine(settings.RepoRoot, "bench", "results", $"{started:yyyy-MM-dd-HHmm}-storm.md");
        await File.WriteAllTextAsync(path, report);
        Console.WriteLine(report);
        Console.WriteLine($"Report: {path}  (process logs: {settings.LogDirectory})");
        return result.Met(options) ? 0 : 1;
    }

    private static async Task<StormResult> MeasureAsync(BenchSettings settings, StormOptions options)
    {
        var logs = Path.Combine(settings.LogDirectory, "storm");
        var topic = new TopicSpec("bench.storm", options.Partitions, 0);
        var scenario = new Scenario("storm", "Reconnect storm", [topic], [new("clients", options.Clients, ClientKind.Normal, [topic])], options.Rate, 0, 0, [ServerKind.Ours]);
        var path = scenario.Groups[0].ToClientGroup().Path;
        var keys = topic.Keys;
        var runner = new ScenarioRunner(settings);
        var loadAverage = new List<string> { KafkaLoadBench.LoadAverage() };
        var children = new List<ChildProcess>();
        try
        {
            var broker = KafkaLoadBench.Track(children, new ChildProcess("broker", settings.BenchDll, ["broker"], logs, new Dictionary<string, string> { ["DOTNET_gcServer"] = "0" }));
            var bootstrap = await broker.ExpectAsync("@bootstrap", Timeout);
            await broker.ExpectAsync("@ready", Timeout);
            await ScenarioRunner.CreateTopicsAsync(broker, scenario);

            var port = ScenarioRunner.FreePort();
            var first = KafkaLoadBench.Track(children, runner.StartServer(ServerKind.Ours, scenario, port, bootstrap, Directory.CreateDirectory(Path.Combine(logs, "first")).FullName));
            await ScenarioRunner.WaitForPortAsync(port, first);
            await ScenarioRunner.SetRateAsync(broker, scenario, options.Rate);
            Console.WriteLine($"recording {options.History} s of ids from the first server (pid {first.Pid})");
            var record = await RecordAsync(port, path, keys, options.History);
            await first.DisposeAsync();
            children.Remove(first);

            // The deploy: a fresh process, cold (no warm-up: its caches and JIT start empty, as after a restart).
            port = ScenarioRunner.FreePort();
            var server = KafkaLoadBench.Track(children, runner.StartServer(ServerKind.Ours, scenario, port, bootstrap, Directory.CreateDirectory(Path.Combine(logs, "second")).FullName));
            await ScenarioRunner.WaitForPortAsync(port, server);
            await broker.AskAsync("track", "@ok track", Timeout);
            var idleConnections = Connections(await broker.AskAsync("requests", "@requests", Timeout));
            var heads = await SeqAsync(broker, topic);
            var clients = Enumerable.Range(0, options.Clients).Select(i =>
            {
                var at = options.History * (i + 1) / options.Clients;
                var resume = record.LastOrDefault(r => r.Seconds <= at) ?? record[0];
                var client = new SseConnection(new ClientGroup("storm", path, 1, ClientKind.Normal, keys, resume.Id), new LoadWindow());
                for (var k = 0; k < keys.Length; k++)
                {
                    client.ExpectNext(keys[k], resume.Next[k]);
                }

                return (Client: client, Resume: resume);
            }).ToList();
            var backlog = clients.Sum(c => keys.Select((k, i) => Math.Max(0, heads[k] - c.Resume.Next[i] + 1)).Sum());
            Console.WriteLine($"storm: {options.Clients} clients on the second server (pid {server.Pid}), {backlog:N0} events behind in all");

            using var stop = new CancellationTokenSource();
            var clock = Stopwatch.StartNew();
            var cpuBefore = server.Stats().CpuSeconds;
            var runs = clients.Select(c => Task.Run(() => c.Client.RunAsync(port, 16384, Task.CompletedTask, stop.Token))).ToList();
            var caughtUp = new double[clients.Count];
            long peakRss = 0, peakThreads = 0, peakConnections = 0;
            var nextSample = TimeSpan.Zero;
            while (clock.Elapsed < TimeSpan.FromSeconds(60))
            {
                for (var i = 0; i < clients.Count; i++)
                {
                    if (caughtUp[i] == 0 && keys.All(k => clients[i].Client.LastSeq(k) >= heads[k]))
                    {
                        caughtUp[i] = clock.Elapsed.TotalSeconds;
                    }
                }

                if (clock.Elapsed >= nextSample)
                {
                    nextSample += TimeSpan.FromMilliseconds(500);
                    peakRss = Math.Max(peakRss, server.Stats().RssBytes);
                    peakThreads = Math.Max(peakThreads, Threads(server.Pid));
                    peakConnections = Math.Max(peakConnections, Connections(await broker.AskAsync("requests", "@requests", Timeout)) - idleConnections);
                }

                if (Enumerable.Range(0, clients.Count).All(i => caughtUp[i] > 0 || clients[i].Client.Failed || runs[i].IsCompleted))
                {
                    break;
                }

                await Task.Delay(20);
            }

            var stormSeconds = clock.Elapsed.TotalSeconds;
            var stormCpu = server.Stats().CpuSeconds - cpuBefore;
            loadAverage.Add(KafkaLoadBench.LoadAverage());

            // Then every client must get the live events too, each exactly once, up to the last one produced.
            await ScenarioRunner.SetRateAsync(broker, scenario, 0);
            await Task.Delay(TimeSpan.FromMilliseconds(500));
            var finals = await SeqAsync(broker, topic);
            var deadline = Stopwatch.StartNew();
            while (deadline.Elapsed < TimeSpan.FromSeconds(15) && clients.Any(c => c.Client.Connected && keys.Any(k => c.Client.LastSeq(k) < finals[k])))
            {
                await Task.Delay(100);
            }

            var rssAfter = server.Stats().RssBytes;
            await stop.CancelAsync();
            await Task.WhenAll(runs);
            var lost = clients.Sum(c => c.Client.Gaps + keys.Sum(k => Math.Max(0, finals[k] - c.Client.LastSeq(k))));
            var times = caughtUp.Where(t => t > 0).Order().ToList();
            return new StormResult(
                clients.Count(c => c.Client.Connected),
                clients.Count(c => c.Client.Failed),
                backlog,
                clients.Sum(c => c.Client.Events),
                lost,
                clients.Sum(c => c.Client.Duplicates),
                times.Count(t => t <= options.TargetSeconds),
                times.Count,
                Quantile(times, 0.5),
                Quantile(times, 0.99),
                times.Count > 0 ? times[^1] : 0,
                stormSeconds,
                stormCpu,
                peakRss,
                rssAfter,
                peakThreads,
                peakConnections,
                string.Join(" → ", loadAverage),
                null);
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException or IOException)
        {
            Console.WriteLine($"storm: {e.Message}");
            return StormResult.Failure(e.Message, string.Join(" → ", loadAverage));
        }
        finally
        {
            foreach (var child in Enumerable.Reverse(children))
            {
                await child.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// One client reading the stream for <paramref name="seconds"/> (counted from when it has seen every partition),
    /// keeping every event's id and the sequence numbers that resuming with it must deliver next.
    /// </summary>
    private static async Task<List<Resume>> RecordAsync(int port, string path, int[] keys, double seconds)
    {
        var record = new List<Resume>();
        var last = keys.ToDictionary(k => k, _ => -1L);
        Stopwatch? clock = null;
        var recorder = new SseConnection(new ClientGroup("recorder", path, 1, ClientKind.Normal, keys), new LoadWindow(), (id, key, seq) =>
        {
            last[key] = seq;
            if (clock is null && last.Values.All(s => s >= 0))
            {
                clock = Stopwatch.StartNew();
            }

            if (clock is not null)
            {
                lock (record)
                {
                    record.Add(new Resume(clock.Elapsed.TotalSeconds, Encoding.UTF8.GetString(id), [.. keys.Select(k => last[k] + 1)]));
                }
            }
        });
        using var stop = new CancellationTokenSource();
        var run = recorder.RunAsync(port, 16384, Task.CompletedTask, stop.Token);
        var wait = Stopwatch.StartNew();
        while ((clock?.Elapsed.TotalSeconds ?? 0) < seconds && !run.IsCompleted && wait.Elapsed < TimeSpan.FromSeconds(seconds + 30))
        {
            await Task.Delay(100);
        }

        await stop.CancelAsync();
        await run;
        lock (record)
        {
            return record.Count > 0 && recorder.Gaps == 0 && recorder.Duplicates == 0
                ? [.. record]
                : throw new InvalidOperationException($"the recorder got {record.Count} events ({recorder.Gaps} lost, {recorder.Duplicates} repeated)");
        }
    }

    private static async Task<Dictionary<int, long>> SeqAsync(ChildProcess broker, TopicSpec topic)
    {
        var answer = await broker.AskAsync($"seq {topic.Name}", "@seq " + topic.Name, Timeout);
        return answer.Split(',').Select((s, p) => (Key: topic.Keys[p], Seq: long.Parse(s, Inv))).ToDictionary(x => x.Key, x => x.Seq);
    }

    /// <summary>The TCP connections open to the broker, from its <c>@requests … connections=N</c> answer.</summary>
    private static long Connections(string requests) => long.Parse(requests[(requests.LastIndexOf('=') + 1)..], Inv);

    private static long Threads(int pid)
    {
        try
        {
            var line = File.ReadLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("Threads:", StringComparison.Ordinal));
            return line is null ? 0 : long.Parse(line["Threads:".Length..].Trim(), Inv);
        }
        catch (IOException)
        {
            return 0;
        }
    }

    private static double Quantile(List<double> sorted, double q) =>
        sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];

    private static string Report(BenchSettings settings, StormOptions o, StormResult r, DateTime started)
    {
        var md = new StringBuilder();
        md.AppendLine(Inv, $"# Reconnect storm after a deploy ({started:yyyy-MM-dd HH:mm} UTC)");
        md.AppendLine();
        md.AppendLine(Inv, $"`EventStreams.Bench storm --clients {o.Clients} --rate {o.Rate} --history {o.History} --partitions {o.Partitions}`, server `{settings.ServerDll}`{(settings.OursArgs.Count > 0 ? " " + string.Join(' ', settings.OursArgs) : "")}.");
        md.AppendLine(Inv, $"One topic of {o.Partitions} partitions at {o.Rate} events/s in all; a first server ran while a recorder kept every event's id for {o.History} s; then a fresh server process, and {o.Clients:N0} clients at once, client i resuming with the id the recorder had {o.History}·(i+1)/{o.Clients} s into its record. Caught up: the client has every event that existed when the storm began. Lost and repeated: by the sequence number each client must get next on every partition, up to the last event produced (live events after the storm included). Kafka connections: TCP connections opened to the broker during the storm (each catch-up reader has its own consumer; the shared reader's is open before), highest sample. Load average (1 min) at the start and the end of the storm: the machine is shared.");
        md.AppendLine();
        md.AppendLine("| Clients | Connected | Refused / failed | Events behind in all | Delivered | Lost | Repeated | Caught up ≤ target | Caught up p50 / p99 / max | Storm time | Server CPU in it | Peak RSS / after | Peak threads | Added Kafka connections (peak) | Load avg |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        md.AppendLine(r.Error is not null
            ? $"| {o.Clients:N0} | failed: {r.Error} | | | | | | | | | | | | | {r.LoadAverage} |"
            : string.Create(Inv, $"| {o.Clients:N0} | {r.Connected:N0} | {r.Failed:N0} | {r.Backlog:N0} | {r.Delivered:N0} | {r.Lost:N0} | {r.Repeated:N0} | {r.WithinTarget:N0} of {o.Clients:N0} within {o.TargetSeconds} s ({r.CaughtUp:N0} at all) | {r.P50:F1} / {r.P99:F1} / {r.Max:F1} s | {r.StormSeconds:F1} s | {r.ServerCpu:F1} s | {r.PeakRss / 1048576.0:N0} / {r.RssAfter / 1048576.0:N0} MiB | {r.PeakThreads} | {r.PeakKafkaConnections} | {r.LoadAverage} |"));
        md.AppendLine();
        md.AppendLine(Inv, $"Target (issue 14 item 3): all caught up within {o.TargetSeconds} s, nothing lost or repeated: **{(r.Met(o) ? "met" : "not met")}**.");
        return md.ToString();
    }

    private sealed record StormOptions(int Clients, double Rate, double History, int Partitions, double TargetSeconds);

    /// <summary>A position to resume from: when the recorder had it, the id, and the next sequence number per partition key.</summary>
    private sealed record Resume(double Seconds, string Id, long[] Next);

    private sealed record StormResult(
        int Connected,
        int Failed,
        long Backlog,
        long Delivered,
        long Lost,
        long Repeated,
        int WithinTarget,
        int CaughtUp,
        double P50,
        double P99,
        double Max,
        double StormSeconds,
        double ServerCpu,
        long PeakRss,
        long RssAfter,
        long PeakThreads,
        long PeakKafkaConnections,
        string LoadAverage,
        string? Error)
    {
        public static StormResult Failure(string error, string loadAverage) => new(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, loadAverage, error);

        public bool Met(StormOptions o) => Error is null && Failed == 0 && Lost == 0 && Repeated == 0 && WithinTarget == o.Clients;
    }
}
