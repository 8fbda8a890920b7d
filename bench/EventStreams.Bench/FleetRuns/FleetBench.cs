using System.Diagnostics;
using System.Globalization;
using System.Text;
using EventStreams.Fleet;

namespace EventStreams.Bench.FleetRuns;

/// <summary>
/// Issue 17's fleet figures from the fleet test's own harness (<c>tests/EventStreams.Fleet</c>), at a larger size: three
/// instances on one broker behind a YARP load balancer. <c>fleet</c>: clients cut off at random and moved to another
/// instance each time, both id forms, everything in this process. <c>roll</c>: a rolling restart of the instances while the
/// clients stream, each instance the built server in a process of its own, restarted with SIGTERM (the broker, the
/// balancer and the clients in this process).
/// </summary>
internal static class FleetBench
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(180);

    /// <summary><c>fleet [--clients 300] [--seconds 30] [--rate 300] [--out file.md]</c></summary>
    public static async Task<int> RunFleetAsync(string[] args)
    {
        var clients = Int(args, "--clients", 300);
        var seconds = Int(args, "--seconds", 30);
        var rate = Int(args, "--rate", 300);
        var report = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"## fleet: 3 instances behind YARP, {clients} clients (half SSE, half hub) cut off at random for {seconds} s, {rate} events/s")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Load average before: {LoadAverage()}. Broker: librdkafka mock cluster, in process.")
            .AppendLine()
            .AppendLine("| Id form | Clients | Events produced | Cuts | Reconnects | On another instance | Lost | Repeated | Fatal answers |")
            .AppendLine("|---|---|---|---|---|---|---|---|---|");
        var failed = false;
        foreach (var idFormat in new[] { "Timestamp", "Offset" })
        {
            await using var fleet = await Fleet.Fleet.StartAsync(new FleetOptions { IdFormat = idFormat });
            await using var run = FleetRun.Start(fleet, new FleetLoad(clients / 2, clients - clients / 2, TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(100)));
            await run.WaitStartedAsync(Wait);
            var cuts = 0;
            var random = new Random(17);
            using (var stop = new CancellationTokenSource())
            {
                var producing = fleet.Producer.RunAsync(rate, stop.Token);
                var clock = Stopwatch.StartNew();
                while (clock.Elapsed < TimeSpan.FromSeconds(seconds))
                {
                    await Task.Delay(random.Next(5, 30));
                    cuts += fleet.Balancer.Routes.CutOne(random) is null ? 0 : 1;
                }

                await stop.CancelAsync();
                await producing;
            }

            var delivered = await run.WaitDeliveredAsync(Wait);
            await run.WaitStreamingAsync(Wait);
            var tally = run.Tally();
            failed |= !delivered || tally.Lost > 0 || tally.Repeated > 0 || tally.Fatal > 0;
            Console.WriteLine($"{idFormat}: {cuts} cuts; {tally}");
            report.AppendLine(CultureInfo.InvariantCulture, $"| {idFormat} | {tally.Clients} | {tally.Produced:N0} | {cuts:N0} | {tally.Reconnects:N0} | {tally.Moves:N0} | {tally.Lost} | {tally.Repeated} | {tally.Fatal} |");
        }

        return Finish(args, report.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Load average after: {LoadAverage()}."), failed);
    }

    /// <summary>
    /// <c>roll [--clients 1000] [--rate 50] [--hub-percent 50] [--instances 3] [--in-process] [--no-restart --seconds 60] [--out file.md]</c>.
    /// <c>--no-restart</c>: the same clients for the same kind of window without restarting anything (the baseline silence).
    /// </summary>
    public static async Task<int> RunRollAsync(string[] args)
    {
        var clients = Int(args, "--clients", 1000);
        var rate = Int(args, "--rate", 50);
        var hubClients = (int)(clients * (Int(args, "--hub-percent", 50) / 100.0));
        var restart = !args.Contains("--no-restart");
        var options = new FleetOptions
        {
            Instances = Int(args, "--instances", 3),
            DrainSeconds = 5,
            RetryMilliseconds = 1000,
            MoveEachReconnect = false,
            Processes = !args.Contains("--in-process"),
        };
        var where = options.Processes
            ? "Each instance is the built server (`dotnet EventStreams.Server.dll`) in a process of its own, restarted with SIGTERM (the real drain) and started again on its port; the balancer, the clients and the broker (librdkafka mock cluster) run in the benchmark's process."
            : "Everything runs in this one process (the servers, balancer, clients, broker: librdkafka mock cluster).";
        var what = restart ? $"rolling restart of {options.Instances} instances" : $"{options.Instances} instance(s), NO restart (baseline), {Int(args, "--seconds", 60)} s";
        var report = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"## roll: {what} behind YARP while {clients} clients stream ({clients - hubClients} SSE, {hubClients} hub), {rate} events/s")
            .AppendLine()
            .AppendLine(CultureInfo.InvariantCulture, $"Server defaults: Shutdown:DrainSeconds={options.DrainSeconds}, Shutdown:RetryMilliseconds={options.RetryMilliseconds}. ")
            .AppendLine("SSE clients behave as EventSource (3 s reconnection time until the server sends `retry:`); hub clients reconnect after a random 0-1 s. ")
            .AppendLine(CultureInfo.InvariantCulture, $"Balancer: YARP, round-robin; active health checks on /readyz every {options.HealthCheckInterval.TotalMilliseconds:0} ms (out of rotation at once on a non-2xx answer or a refused connection, after 3 unanswered probes; all instances tried when none looks healthy); a GET that failed before an answer (refused, reset, timed out) is sent to another instance. ")
            .AppendLine(CultureInfo.InvariantCulture, $"{where} Load average before: {LoadAverage()}.")
            .AppendLine()
            .AppendLine("Longest silence: per client, the longest time between two events during the roll. Longest reconnect: per client, the longest time from a stream's end to the first event of the next (the move itself).")
            .AppendLine()
            .AppendLine("| Clients | Transport | Events produced | Lost | Repeated | Fatal answers | Longest silence p50 | p99 | max | Longest reconnect p50 | p99 | max | Served by 2+ instances |")
            .AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        await using var fleet = await Fleet.Fleet.StartAsync(options);
        fleet.Log.Echo = true;
        await using var run = FleetRun.Start(fleet, new FleetLoad(clients - hubClients, hubClients, TimeSpan.FromSeconds(3), TimeSpan.FromSeconds(1)));
        await run.WaitStartedAsync(Wait);
        var roll = Stopwatch.StartNew();
        string? rollFailure = null;
        (IReadOnlyList<TimeSpan> Instances, TimeSpan Bench) cpuBefore = ([], TimeSpan.Zero);
        var cpuAfter = cpuBefore;
        var steady = false;
        using (var stop = new CancellationTokenSource())
        {
            var producing = fleet.Producer.RunAsync(rate, stop.Token);
            var settling = Stopwatch.StartNew();
            steady = await run.WaitDeliveredAsync(Wait);
            fleet.Log.Add($"before the roll: every client has every event: {(steady ? "yes" : "NO")}, after {settling.Elapsed.TotalSeconds:0.0} s");
            run.Silence.Open();
            roll.Restart();
            cpuBefore = (fleet.ProcessorTimes(), Process.GetCurrentProcess().TotalProcessorTime);
            using var watching = new CancellationTokenSource();
            var watch = WatchAsync(fleet, run, watching.Token);
            try
            {
                if (!restart)
                {
                    await Task.Delay(TimeSpan.FromSeconds(Int(args, "--seconds", 60)));
                }

                for (var i = 0; restart && i < fleet.Instances; i++)
                {
                    await fleet.RestartAsync(i);
                    Console.WriteLine($"instance {i} restarted after {roll.Elapsed.TotalSeconds:0.0} s");
                }
            }
            catch (Exception e) when (e is TimeoutException or InvalidOperationException)
            {
                rollFailure = e.Message;
            }

            cpuAfter = (fleet.ProcessorTimes(), Process.GetCurrentProcess().TotalProcessorTime);
            await watching.CancelAsync();
            await watch;

            run.Silence.Close();
            await stop.CancelAsync();
            await producing;
        }

        var delivered = await run.WaitDeliveredAsync(Wait);
        var dropped = await DroppedByInstancesAsync(fleet);
        foreach (var client in run.Clients.Where(c => c.Fatal > 0))
        {
            Console.WriteLine($"{client.Name} gave up: {client.LastError}");
        }

        var failed = false;
        foreach (var (label, group) in new[] { ("all", run.Clients), ("SSE", run.Clients.Where(c => c is SseFleetClient).ToList()), ("hub", run.Clients.Where(c => c is HubFleetClient).ToList()) })
        {
            var tally = FleetTally.Of(group, fleet.Producer, fleet.Balancer.Routes);
            failed |= tally.Lost > 0 || tally.Repeated > 0 || tally.Fatal > 0;
            Console.WriteLine($"{label}: {tally}");
            report.AppendLine(CultureInfo.InvariantCulture, $"| {tally.Clients} | {label} | {tally.Produced:N0} | {tally.Lost} | {tally.Repeated} | {tally.Fatal} | {Ms(tally.SilenceP50)} | {Ms(tally.SilenceP99)} | {Ms(tally.SilenceMax)} | {Ms(tally.ReconnectP50)} | {Ms(tally.ReconnectP99)} | {Ms(tally.ReconnectMax)} | {tally.ClientsOnSeveralInstances} |");
        }

        if (rollFailure is not null)
        {
            report.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"The roll FAILED: {rollFailure}");
        }

        var gaveUp = run.Clients.Count(c => c.Fatal > 0);
        var seconds = roll.Elapsed.TotalSeconds;
        report.AppendLine().Append("CPU during the window (cores = CPU seconds / wall seconds): ");
        for (var i = 0; i < cpuAfter.Instances.Count && options.Processes; i++)
        {
            var used = (cpuAfter.Instances[i] - cpuBefore.Instances[i]).TotalSeconds;
            report.Append(CultureInfo.InvariantCulture, $"instance {i} {used:0.0} s ({used / seconds:0.00} cores); ");
        }

        var bench = (cpuAfter.Bench - cpuBefore.Bench).TotalSeconds;
        report.AppendLine(CultureInfo.InvariantCulture, $"this process (balancer, clients, broker{(options.Processes ? "" : ", servers")}) {bench:0.0} s ({bench / seconds:0.00} cores), of {Environment.ProcessorCount} cores shared with every other engineer's work.");
        report.AppendLine().Append("Waiting for a CPU during the window (runnable threads on the run queue, summed over threads, from /proc/<pid>/task/*/schedstat; per second of the window): ");
        report.AppendLine(string.Join("; ", WaitedForCpu.OrderBy(w => w.Key).Select(w => string.Create(CultureInfo.InvariantCulture,
            $"{(w.Key < fleet.Instances ? $"instance {w.Key}" : "this process")} {w.Value.TotalSeconds:0.0} s ({w.Value.TotalSeconds / seconds:0.00}/s)"))) + ".");
        report.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Clients the instances disconnected since their (last) start (eventstreams_clients_dropped_total): {dropped}.");
        report.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Before the roll every client had every event: {(steady ? "yes" : "NO")}. The roll took {roll.Elapsed.TotalSeconds:0.0} s. Every client received every event afterwards: {(delivered ? "yes" : "NO")}; clients that gave up on a fatal answer: {gaveUp}. Load average after: {LoadAverage()}.");
        foreach (var client in run.Clients.Where(c => c.Fatal > 0).Take(10))
        {
            report.AppendLine(CultureInfo.InvariantCulture, $"- {client.Name} gave up: {client.LastError}");
        }

        return Finish(args, report, failed || !delivered || rollFailure is not null);
    }

    /// <summary>Every second: streams the balancer forwards, clients that gave up, the fleet's events.</summary>
    private static async Task WatchAsync(Fleet.Fleet fleet, FleetRun run, CancellationToken stop)
    {
        using var tick = new PeriodicTimer(TimeSpan.FromSeconds(1));
        var cpu = fleet.ProcessorTimes();
        var benchCpu = Process.GetCurrentProcess().TotalProcessorTime;
        var lastWait = new Dictionary<int, TimeSpan>();
        try
        {
            while (await tick.WaitForNextTickAsync(stop))
            {
                var behind = run.Clients.Count(c => Enumerable.Range(0, fleet.Producer.Partitions).Any(p => c.Received(p) < fleet.Producer.Produced(p) - 100));
                var (lastCpu, lastBenchCpu) = (cpu, benchCpu);
                (cpu, benchCpu) = (fleet.ProcessorTimes(), Process.GetCurrentProcess().TotalProcessorTime);
                var instances = string.Join(' ', cpu.Select((c, i) => ((c - lastCpu[i]).TotalSeconds).ToString("0.00", CultureInfo.InvariantCulture)));
                var pids = fleet.ProcessIds().Append(Environment.ProcessId).ToList();
                var waits = new List<string>();
                for (var i = 0; i < pids.Count; i++)
                {
                    var waited = TimeSpan.Zero;
                    if (pids[i] is { } pid && RunQueueWait(pid) is { } total)
                    {
                        waited = total - lastWait.GetValueOrDefault(pid, total);
                        lastWait[pid] = total;
                    }

                    waits.Add(waited.TotalSeconds.ToString("0.00", CultureInfo.InvariantCulture));
                    WaitedForCpu[i] = WaitedForCpu.GetValueOrDefault(i) + waited;
                }

                fleet.Log.Add($"watch: {fleet.Balancer.Routes.Live} streams forwarded, {run.Clients.Count(c => c.Fatal > 0)} clients gave up, {behind} clients > 100 events behind; thread pool {ThreadPool.ThreadCount} threads, {ThreadPool.PendingWorkItemCount} queued; CPU s/s: instances {instances}, this process {(benchCpu - lastBenchCpu).TotalSeconds:0.00}; waiting for a CPU s/s: instances and this process {string.Join(' ', waits)}; load {LoadAverage()}");
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>Per instance (then this process, last): the time its threads waited for a CPU during the window.</summary>
    private static readonly Dictionary<int, TimeSpan> WaitedForCpu = [];

    /// <summary>
    /// The time <paramref name="pid"/>'s live threads have spent runnable but waiting for a CPU (the run queue), from
    /// <c>/proc/&lt;pid&gt;/task/*/schedstat</c>; null when unreadable. More than the wall time means several threads waited.
    /// </summary>
    private static TimeSpan? RunQueueWait(int pid)
    {
        try
        {
            var nanoseconds = 0L;
            foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                var fields = File.ReadAllText(Path.Combine(task, "schedstat")).Split(' ');
                nanoseconds += long.Parse(fields[1], CultureInfo.InvariantCulture);
            }

            return TimeSpan.FromTicks(nanoseconds / 100);
        }
        catch (IOException)
        {
            return null;
        }
        catch (UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>Each instance's count of clients it cut (stalled, shutdown, ...), from its own <c>/metrics</c>.</summary>
    private static async Task<string> DroppedByInstancesAsync(Fleet.Fleet fleet)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var parts = new List<string>();
        for (var i = 0; i < fleet.Instances; i++)
        {
            try
            {
                var metrics = await http.GetStringAsync(new Uri(fleet.InstanceAddress(i), "metrics"));
                var lines = metrics.Split('\n').Where(l => l.StartsWith("eventstreams_clients_dropped_total{", StringComparison.Ordinal));
                parts.Add($"instance {i}: {string.Join(", ", lines.DefaultIfEmpty("none"))}");
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                parts.Add($"instance {i}: /metrics failed ({e.Message})");
            }
        }

        return string.Join("; ", parts);
    }

    private static int Finish(string[] args, StringBuilder report, bool failed)
    {
        Console.WriteLine();
        Console.WriteLine(report);
        if (args.SkipWhile(a => a != "--out").Skip(1).FirstOrDefault() is { } path)
        {
            File.WriteAllText(path, report.ToString());
        }

        return failed ? 1 : 0;
    }

    private static string Ms(TimeSpan time) => string.Create(CultureInfo.InvariantCulture, $"{time.TotalMilliseconds:N0} ms");

    private static int Int(string[] args, string name, int fallback) =>
        int.TryParse(args.SkipWhile(a => a != name).Skip(1).FirstOrDefault(), CultureInfo.InvariantCulture, out var value) ? value : fallback;

    private static string LoadAverage() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
}
