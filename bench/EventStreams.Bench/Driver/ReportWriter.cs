using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using EventStreams.Bench.Load;

namespace EventStreams.Bench.Driver;

/// <summary>The Markdown report: machine, settings, every figure, and the issue's targets as ratios from this run.</summary>
internal static class ReportWriter
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static string OneLine(Measurement m) => m.Error is not null
        ? $"{m.Server,-8} ERROR {m.Error}"
        : string.Create(Inv, $"{m.Server,-8} delivered {m.Delivered,10:N0}/s of {m.Offered,10:N0}/s  p50 {m.Load!.Latency.P50Ms,7:F1} p99 {m.Load.Latency.P99Ms,7:F1} max {m.Load.Latency.MaxMs,7:F1} ms  lost {m.Lost} lagging {m.Lagging} failed {m.Failed}  cpu {Percent(m.ServerCpuSeconds, m.WindowSeconds)} ({m.CpuPerMillion:F1} s/M)  peak {Mib(m.PeakRss)}");

    public static string Write(BenchSettings settings, IReadOnlyList<Measurement> all, DateTime started, DateTime finished)
    {
        var md = new StringBuilder();
        md.AppendLine(Inv, $"# EventStreams benchmark — {started:yyyy-MM-dd HH:mm} UTC{(settings.Smoke ? " (smoke run)" : "")}");
        md.AppendLine();
        WriteMachine(md, settings, started, finished);
        WriteTargets(md, settings, all);
        foreach (var group in all.GroupBy(m => m.Scenario.Id.StartsWith("ladder", StringComparison.Ordinal) ? "ladder" : m.Scenario.Id))
        {
            WriteScenario(md, group.Key, [.. group]);
        }

        return md.ToString();
    }

    /// <summary>The collector our server ran with: the environment's choice, else its build's (<c>runtimeconfig.json</c>).</summary>
    private static string OursGc(BenchSettings settings)
    {
        if (settings.OursEnv.TryGetValue("DOTNET_gcServer", out var server))
        {
            return server == "1" ? "Server GC" : "workstation GC";
        }

        var config = Path.ChangeExtension(settings.ServerDll, ".runtimeconfig.json");
        return File.Exists(config) && File.ReadAllText(config).Contains("\"System.GC.Server\": true", StringComparison.Ordinal) ? "Server GC" : "workstation GC";
    }

    private static void WriteMachine(StringBuilder md, BenchSettings settings, DateTime started, DateTime finished)
    {
        var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?";
        var mem = File.ReadLines("/proc/meminfo").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        var nofile = File.ReadLines("/proc/self/limits").FirstOrDefault(l => l.StartsWith("Max open files", StringComparison.Ordinal))?.Split(' ', StringSplitOptions.RemoveEmptyEntries)[3] ?? "?";
        var kernel = File.ReadAllText("/proc/sys/kernel/osrelease").Trim();
        md.AppendLine("## Machine and settings");
        md.AppendLine();
        md.AppendLine(Inv, $"- Machine: {Environment.ProcessorCount} cores ({cpu}), {long.Parse(mem, Inv) / 1024 / 1024} GiB, Linux {kernel}, {RuntimeInformation.FrameworkDescription}; shared with other work while running, so absolute figures are noisy — compare the ratios, which come from this one run.");
        md.AppendLine(Inv, $"- Run: {started:HH:mm:ss}–{finished:HH:mm:ss} UTC ({(finished - started).TotalMinutes:F1} min), commit {Git(settings, "rev-parse --short HEAD")}, `ulimit -n` {nofile} (inherited by every process).");
        md.AppendLine("- Broker: librdkafka mock cluster (librdkafka.redist 2.16.0), in its own process together with the rate-limited producer (linger 1 ms); the ceiling has no broker and generates the same events itself.");
        md.AppendLine(Inv, $"- Consumers (ours and baseline): `fetch.wait.max.ms` = {settings.FetchWaitMs} (the mock broker holds an empty fetch for the whole wait, so this bounds the added latency).");
        md.AppendLine(Inv, $"- Ours: `src/EventStreams.Server` Release, production defaults{(settings.OursArgs.Count > 0 ? " plus " + string.Join(' ', settings.OursArgs) : "")}{(settings.OursEnv.Count > 0 ? " with " + string.Join(' ', settings.OursEnv.Select(e => $"{e.Key}={e.Value}")) : "")} (timestamp ids, 15 s heartbeats, 30 s stall timeout, {OursGc(settings)}). Baseline and ceiling: `bench/EventStreams.Bench` modes on Kestrel with Server GC.");
        md.AppendLine("- Processes: broker+producer, server under test and load generator each run separately (no pinning; all share the 2 cores). CPU columns give each process's share of one core during the measurement window. Load generator (workstation GC): SSE clients on raw sockets, chunked decoding and a minimal SSE parser; hub clients "
            + (settings.DotNetHubClient ? "the .NET SignalR client (`--hub-client dotnet`), JSON protocol over WebSockets." : "SignalR's JSON protocol spoken directly on a ClientWebSocket (no negotiate), the benchmark fields read from the escaped `data` string."));
        md.AppendLine("- Events: ~1 KB recentchange-like JSON carrying a sequence number per partition and the production time; latency = client receive time − production time; lost = sequence gaps; lagging = clients that had not received the last produced event 10 s after production stopped.");
        md.AppendLine();
    }

    private static void WriteTargets(StringBuilder md, BenchSettings settings, IReadOnlyList<Measurement> all)
    {
        // Repeated scenarios: each server's best attempt (kept up first, then lowest p99).
        Measurement? Find(string id, ServerKind kind) => all
            .Where(m => m.Scenario.Id == id && m.Server == kind && m.Error is null)
            .OrderByDescending(m => m.KeptUp).ThenBy(m => m.Load!.Latency.P99Ms).FirstOrDefault();
        var fw = settings.FetchWaitMs;
        md.AppendLine("## Targets");
        md.AppendLine();
        md.AppendLine("| Target | Ours | Ceiling | Baseline | Ratio ours/ceiling | Ratio ours/baseline | Met |");
        md.AppendLine("|---|---|---|---|---|---|---|");

        var o10k = Find("n10000", ServerKind.Ours);
        var c10k = Find("n10000", ServerKind.Ceiling);
        if (o10k is not null && c10k is not null)
        {
            var limit = c10k.Load!.Latency.P99Ms + fw + 50;
            Row(md, "10,000 clients × 10 ev/s: all keep up, nothing lost, p99 ≤ ceiling p99 + fetch wait + 50 ms",
                $"{Kept(o10k)}, p99 {o10k.Load!.Latency.P99Ms:F0} ms (limit {limit:F0})", $"{Kept(c10k)}, p99 {c10k.Load.Latency.P99Ms:F0} ms", "not run (10,000 consumers)",
                Ratio(o10k.Load.Latency.P99Ms, c10k.Load.Latency.P99Ms) + " (p99)", "—", o10k.KeptUp && o10k.Load.Latency.P99Ms <= limit);
        }

        var o200 = Find("n200x10", ServerKind.Ours);
        var c200 = Find("n200x10", ServerKind.Ceiling);
        if (o10k is not null && c10k is not null && o200 is not null && c200 is not null)
        {
            // What the load adds, without what every event pays at any load: for ours the broker hop (producer linger,
            // fetch wait), which the ceiling does not have; p99 at 200 clients minus the ceiling's estimates it.
            var (oP99, cP99, o200P99, c200P99) = (o10k.Load!.Latency.P99Ms, c10k.Load!.Latency.P99Ms, o200.Load!.Latency.P99Ms, c200.Load!.Latency.P99Ms);
            var (oAdded, cAdded) = (oP99 - o200P99, cP99 - c200P99);
            Row(md, "10,000 clients × 10 ev/s: load-induced p99 (p99 at 10,000 − p99 at 200 clients, same rate) ≤ 1.3× the ceiling's (issue 14 item 1)",
                $"{oAdded:F0} ms ({oP99:F0} − {o200P99:F0}; at 200 clients {o200P99 - c200P99:F0} ms over the ceiling: the broker hop)", $"{cAdded:F0} ms ({cP99:F0} − {c200P99:F0})", "—",
                $"{Ratio(oAdded, cAdded)} (load-induced p99); {Ratio(oP99, cP99)} (p99)", "—", oAdded <= 1.3 * cAdded);
        }

        var o1k = Find("n1000", ServerKind.Ours);
        var c1k = Find("n1000", ServerKind.Ceiling);
        var b1k = Find("n1000", ServerKind.Baseline);
        if (o1k is not null && c1k is not null)
        {
            var limit = c1k.Load!.Latency.P99Ms + fw + 20;
            Row(md, "1,000 clients × 200 ev/s: everything delivered, p99 ≤ ceiling p99 + fetch wait + 20 ms",
                $"{Kept(o1k)}, {o1k.Delivered:N0} ev/s, p99 {o1k.Load!.Latency.P99Ms:F0} ms (limit {limit:F0})", $"{Kept(c1k)}, {c1k.Delivered:N0} ev/s, p99 {c1k.Load.Latency.P99Ms:F0} ms",
                b1k is null ? "failed" : $"{Kept(b1k)}, {b1k.Delivered:N0} ev/s, p99 {b1k.Load!.Latency.P99Ms:F0} ms",
                Ratio(o1k.Delivered, c1k.Delivered) + " (ev/s)", b1k is null ? "—" : Ratio(o1k.Delivered, b1k.Delivered) + " (ev/s)", o1k.KeptUp && o1k.Load.Latency.P99Ms <= limit);
            Row(md, "1,000 clients × 200 ev/s: server CPU per delivered event ≤ 1.5× the ceiling's",
                $"{o1k.CpuPerMillion:F2} CPU s per M events", $"{c1k.CpuPerMillion:F2}", b1k is null ? "—" : $"{b1k.CpuPerMillion:F2}",
                Ratio(o1k.CpuPerMillion, c1k.CpuPerMillion), b1k is null ? "—" : Ratio(o1k.CpuPerMillion, b1k.CpuPerMillion), o1k.CpuPerMillion <= 1.5 * c1k.CpuPerMillion);
        }

        var os = Find("saturation", ServerKind.Ours);
        var cs = Find("saturation", ServerKind.Ceiling);
        var bs = Find("saturation", ServerKind.Baseline);
        if (os is not null && cs is not null)
        {
            double Max(Measurement? m) => m?.Steps.Select(s => s.Delivered).DefaultIfEmpty(0).Max() ?? 0;
            Row(md, "Saturation at 1,000 clients: ours ≥ 70% of the ceiling's events/s",
                $"{Max(os):N0} ev/s", $"{Max(cs):N0} ev/s", bs is null ? "failed" : $"{Max(bs):N0} ev/s",
                Ratio(Max(os), Max(cs)), bs is null ? "—" : Ratio(Max(os), Max(bs)), Max(os) >= 0.7 * Max(cs));
        }

        var ladder = all.Where(m => m.Scenario.Id.StartsWith("ladder", StringComparison.Ordinal)).ToList();
        if (o10k is not null && ladder.Count > 0)
        {
            var p99 = o10k.Load!.Latency.P99Ms;
            var best = ladder.Where(m => m.KeptUp && m.Load!.Latency.P99Ms <= p99).Select(m => m.Scenario.Clients).DefaultIfEmpty(0).Max();
            var tried = string.Join(", ", ladder.Select(m => m.Error is null ? $"{m.Scenario.Clients}: {Kept(m)} p99 {m.Load!.Latency.P99Ms:F0} ms" : $"{m.Scenario.Clients}: failed"));
            Row(md, "≥ 20× the baseline's clients at equal latency (10 ev/s, p99 ≤ ours at 10,000)",
                $"10,000 clients, p99 {p99:F0} ms, {Kept(o10k)}", "—", $"max {best:N0} clients ({tried})", "—",
                best == 0 ? "> 10,000 / 100" : $"{10_000.0 / best:F0}× clients", o10k.KeptUp && (best == 0 || 10_000.0 / best >= 20));
        }

        foreach (var (idle, idleCeiling) in new[] { (o10k, c10k), (Find("idle10000", ServerKind.Ours), Find("idle10000", ServerKind.Ceiling)) })
        {
            if (idle is not null && idle.RssConnected > 0)
            {
                Row(md, $"Idle connection ≤ 12 KB of server memory ({idle.Scenario.Id}, issue 14 item 2)", $"{idle.IdleBytesPerConnection / 1024:F1} KB", idleCeiling is null ? "—" : $"{idleCeiling.IdleBytesPerConnection / 1024:F1} KB", "—",
                    idleCeiling is null ? "—" : Ratio(idle.IdleBytesPerConnection, idleCeiling.IdleBytesPerConnection), "—", idle.IdleBytesPerConnection <= 12 * 1024);
            }
        }

        var om = Find("mixed", ServerKind.Ours);
        if (om is not null)
        {
            string Stalled(Measurement? m) => m?.Load?.Groups.FirstOrDefault(g => g.Kind == ClientKind.Stalled) is { } g
                ? $"peak {Mib(m.PeakRss)}; {g.ClosedByServer}/{g.Clients} stalled clients disconnected by the server"
                : "—";
            var cm = Find("mixed", ServerKind.Ceiling);
            var bm = Find("mixed", ServerKind.Baseline);
            Row(md, "Memory bounded with slow and 100 stalled clients (peak RSS, fate of the stalled)", Stalled(om), Stalled(cm), Stalled(bm),
                cm is null ? "—" : Ratio(om.PeakRss, cm.PeakRss), bm is null ? "—" : Ratio(om.PeakRss, bm.PeakRss), om.KeptUp);
        }

        foreach (var id in new[] { "catchup", "catchupwarm" })
        {
            var oc = Find(id, ServerKind.Ours);
            if (oc is null)
            {
                continue;
            }

            double Speed(Measurement? m) => m?.Load?.Groups[0] is { CaughtUpSeconds: > 0 } g ? m.Scenario.Fill / g.CaughtUpSeconds : 0;
            var cc = Find(id, ServerKind.Ceiling);
            var bc = Find(id, ServerKind.Baseline);
            Row(md, $"Catch-up ≥ 100,000 events/s for one resuming client ({id})", $"{Speed(oc):N0} ev/s ({oc.Scenario.Fill:N0} events, lost {oc.Lost})", cc is null ? "—" : $"{Speed(cc):N0} ev/s",
                bc is null ? "—" : $"{Speed(bc):N0} ev/s", cc is null ? "—" : Ratio(Speed(oc), Speed(cc)), bc is null ? "—" : Ratio(Speed(oc), Speed(bc)), Speed(oc) >= 100_000 && oc.Lost == 0);
            if (cc is not null)
            {
                // The ceiling sends a multi-partition client the same frames as ours (an id element per partition).
                Row(md, $"Catch-up ≥ 0.5 of the ceiling ({id}, issue 14 item 3; CPU s per M events ours / ceiling: {oc.CpuPerMillion:F1} / {cc.CpuPerMillion:F1}, bytes per event {oc.BytesPerEvent:N0} / {cc.BytesPerEvent:N0})",
                    $"{Speed(oc):N0} ev/s", $"{Speed(cc):N0} ev/s", "—", Ratio(Speed(oc), Speed(cc)), "—", Speed(cc) > 0 && Speed(oc) >= 0.5 * Speed(cc) && oc.Lost == 0);
            }
        }

        WritePairs(md, all);
        md.AppendLine();
    }

    /// <summary>
    /// Paired scenarios (issue 7 item 7): our server's CPU per delivered event with the candidate clients over the
    /// reference clients, each attempt of the candidate against the reference attempt measured just before it.
    /// </summary>
    private static void WritePairs(StringBuilder md, IReadOnlyList<Measurement> all)
    {
        var ours = all.Where(m => m.Scenario.Pair is not null && m.Server == ServerKind.Ours && m.Error is null).ToList();
        foreach (var pair in ours.GroupBy(m => m.Scenario.Pair!))
        {
            var first = pair.First().Scenario;
            var reference = pair.Where(m => m.Scenario.Id == first.Id).ToList();
            var candidates = pair.Where(m => m.Scenario.Id != first.Id).ToList();
            if (reference.Count == 0 || candidates.Count == 0)
            {
                continue;
            }

            var c = candidates[0].Scenario;
            var ratios = reference.Zip(candidates, (r, k) => k.CpuPerMillion / r.CpuPerMillion).ToList();
            Row(md, $"{c.Title}: server CPU per delivered event ≤ {c.PairTarget:F1}× {first.Title}",
                string.Join(" / ", candidates.Select(k => $"{Kept(k)}, {k.Delivered:N0} ev/s, {k.CpuPerMillion:F1} s/M, p99 {k.Load!.Latency.P99Ms:F0} ms")),
                "—",
                "reference: " + string.Join(" / ", reference.Select(r => $"{Kept(r)}, {r.Delivered:N0} ev/s, {r.CpuPerMillion:F1} s/M, p99 {r.Load!.Latency.P99Ms:F0} ms")),
                "—",
                string.Join(" / ", ratios.Select(r => r.ToString("F2", Inv))) + " (candidate/reference)",
                candidates.All(k => k.KeptUp) && ratios.All(r => r <= c.PairTarget));
            if (c.Groups.Any(g => g.Gzip))
            {
                var bytes = reference.Zip(candidates, (r, k) => k.BytesPerEvent / r.BytesPerEvent).ToList();
                Row(md, $"{c.Title}: bytes on the wire per event ≤ 0.5× uncompressed",
                    string.Join(" / ", candidates.Select(k => $"{k.BytesPerEvent:F0} B")),
                    "—",
                    "reference: " + string.Join(" / ", reference.Select(r => $"{r.BytesPerEvent:F0} B")),
                    "—",
                    string.Join(" / ", bytes.Select(r => r.ToString("F2", Inv))) + " (gzip/uncompressed)",
                    bytes.All(r => r <= 0.5));
            }
        }
    }

    private static void WriteScenario(StringBuilder md, string id, List<Measurement> runs)
    {
        md.AppendLine(Inv, $"## {(id == "ladder" ? "Baseline ladder: clients × 10 events/s until it falls behind" : runs[0].Scenario.Title)}");
        md.AppendLine();
        md.AppendLine("| Server | Clients | Offered ev/s | Delivered ev/s | Kept up (lagging / lost / failed) | p50 ms | p99 ms | max ms | First event: joining p50 / p99 · at cold start p50 (ms) | Server CPU | CPU s per M events | Load gen CPU | Broker CPU | RSS idle → connected → peak |");
        md.AppendLine("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|");
        foreach (var m in runs)
        {
            if (m.Error is not null)
            {
                md.AppendLine(Inv, $"| {m.Server} | {m.Scenario.Clients:N0} | | | **failed**: {m.Error} | | | | | | | | | peak {Mib(m.PeakRss)} |");
                continue;
            }

            var l = m.Load!;
            var normal = l.Groups.Where(g => g.Kind == ClientKind.Normal).ToList();
            var cold = normal.Count > 0 ? normal.Max(g => g.FirstEventP50Ms).ToString("F0", Inv) : "—";
            var first = m.Joining is { Count: > 0 } j ? $"{j.P50Ms:F0} / {j.P99Ms:F0} · {cold}" : $"— · {cold}";
            var catchUp = l.Groups.FirstOrDefault(g => g.Kind == ClientKind.CatchUp);
            var offered = catchUp is null ? m.Offered.ToString("N0", Inv) : "backlog";
            var delivered = catchUp is { CaughtUpSeconds: > 0 } ? $"{m.Scenario.Fill / catchUp.CaughtUpSeconds:N0} (catch-up, {catchUp.CaughtUpSeconds:F2} s)" : m.Delivered.ToString("N0", Inv);
            md.AppendLine(Inv, $"| {m.Server}{(m.Scenario.Repeats > 1 ? $" #{m.Attempt}" : "")} | {m.Scenario.Clients:N0} | {offered} | {delivered} | {Kept(m)} ({m.Lagging} / {m.Lost} / {m.Failed}) | {l.Latency.P50Ms:F1} | {l.Latency.P99Ms:F1} | {l.Latency.MaxMs:F1} | {first} | {Percent(m.ServerCpuSeconds, m.WindowSeconds)} | {m.CpuPerMillion:F2} | {Percent(m.LoadCpuSeconds, m.WindowSeconds)} | {Percent(m.BrokerCpuSeconds, m.WindowSeconds)} | {Mib(m.RssBefore)} → {(m.RssConnected > 0 ? Mib(m.RssConnected) : "—")} → {Mib(m.PeakRss)} |");
        }

        md.AppendLine();
        if (runs.Any(m => m.Steps.Count > 0))
        {
            md.AppendLine("| Server | Rate per client ev/s | Offered ev/s | Delivered ev/s | p50 ms | p99 ms | Server CPU | Load gen CPU | Broker CPU | Kept up |");
            md.AppendLine("|---|---|---|---|---|---|---|---|---|---|");
            foreach (var m in runs)
            {
                foreach (var s in m.Steps)
                {
                    md.AppendLine(Inv, $"| {m.Server} | {s.Rate:N0} | {s.Offered:N0} | {s.Delivered:N0} | {s.Latency.P50Ms:F1} | {s.Latency.P99Ms:F1} | {Percent(s.ServerCpuSeconds, s.Seconds)} | {Percent(s.LoadCpuSeconds, s.Seconds)} | {Percent(s.BrokerCpuSeconds, s.Seconds)} | {(s.KeptUp ? "yes" : "no")} |");
                }
            }

            md.AppendLine();
        }

        if (runs.Any(m => m.Load?.Groups.Length > 1))
        {
            md.AppendLine("| Server | Group | Clients | Connected | Events | Gaps | Lagging at end | Closed by server |");
            md.AppendLine("|---|---|---|---|---|---|---|---|");
            foreach (var m in runs.Where(m => m.Load is not null))
            {
                foreach (var g in m.Load!.Groups)
                {
                    md.AppendLine(Inv, $"| {m.Server} | {g.Name} ({g.Kind}) | {g.Clients} | {g.Connected} | {g.Events:N0} | {g.Gaps} | {g.Lagging} | {g.ClosedByServer} |");
                }
            }

            md.AppendLine();
        }

        WriteUpstream(md, runs);
        foreach (var ours in runs.Where(m => m.Server == ServerKind.Ours && m.Error is null && m.Steps.Count == 0 && m.Scenario.Fill == 0))
        {
            foreach (var other in runs.Where(m => m.Server != ServerKind.Ours && m.Error is null && m.Attempt == ours.Attempt))
            {
                md.AppendLine(Inv, $"Ours/{other.Server.ToString().ToLowerInvariant()}{(ours.Scenario.Repeats > 1 ? $" (attempt {ours.Attempt})" : "")}: delivered {Ratio(ours.Delivered, other.Delivered)}, p99 {Ratio(ours.Load!.Latency.P99Ms, other.Load!.Latency.P99Ms)}, CPU per event {Ratio(ours.CpuPerMillion, other.CpuPerMillion)}, peak RSS {Ratio(ours.PeakRss, other.PeakRss)}.");
                md.AppendLine();
            }
        }
    }

    /// <summary>Issue 9's targets: added p99 (≤ 10 ms) and the front's CPU per event (≤ 2× direct).</summary>
    private static void WriteUpstream(StringBuilder md, List<Measurement> runs)
    {
        var direct = runs.FirstOrDefault(m => m.Server == ServerKind.Ours && m.Error is null);
        var front = runs.FirstOrDefault(m => m.Server == ServerKind.Upstream && m.Error is null);
        if (direct is null || front is null)
        {
            return;
        }

        var added = front.Load!.Latency.P99Ms - direct.Load!.Latency.P99Ms;
        var cpu = front.CpuPerMillion / direct.CpuPerMillion;
        md.AppendLine(Inv, $"Upstream mode: added p99 {added:F1} ms (target ≤ 10 ms: {(added <= 10 ? "met" : "**not met**")}), added p50 {front.Load.Latency.P50Ms - direct.Load.Latency.P50Ms:F1} ms; the front's CPU per event {front.CpuPerMillion:F2} s/M = {cpu:F2}× direct's {direct.CpuPerMillion:F2} s/M (target ≤ 2×: {(cpu <= 2 ? "met" : "**not met**")}); the inner server (serving the front's {front.Scenario.Clients:N0} upstream connections) used {Percent(front.InnerCpuSeconds, front.WindowSeconds)} of a core.");
        md.AppendLine();
    }

    private static void Row(StringBuilder md, string target, string ours, string ceiling, string baseline, string ratioCeiling, string ratioBaseline, bool met) =>
        md.AppendLine(Inv, $"| {target} | {ours} | {ceiling} | {baseline} | {ratioCeiling} | {ratioBaseline} | {(met ? "yes" : "**no**")} |");

    private static string Kept(Measurement m) => m.KeptUp ? "kept up" : "**fell behind**";

    private static string Ratio(double a, double b) => b > 0 && !double.IsNaN(a) ? (a / b).ToString("F2", Inv) : "—";

    private static string Percent(double cpuSeconds, double seconds) => seconds > 0 ? (cpuSeconds / seconds).ToString("P0", Inv) : "—";

    private static string Mib(long bytes) => (bytes / 1048576.0).ToString("F0", Inv) + " MiB";

    private static string Git(BenchSettings settings, string arguments)
    {
        try
        {
            var info = new System.Diagnostics.ProcessStartInfo("git", arguments) { RedirectStandardOutput = true, WorkingDirectory = settings.RepoRoot };
            using var git = System.Diagnostics.Process.Start(info)!;
            var output = git.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return output;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "?";
        }
    }
}
