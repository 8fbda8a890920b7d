using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace EventStreams.Bench.Load;

/// <summary>
/// The load generator process: opens every client of a <see cref="LoadSpec"/>, then follows commands on standard
/// input (<c>window</c>, <c>endwindow</c>, <c>final KEY=SEQ,...</c>) and prints <c>@result</c> JSON at the end.
/// </summary>
internal static class LoadGenerator
{
    public static readonly JsonSerializerOptions Json = new() { WriteIndented = false, Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter() } };

    public static async Task<int> RunAsync(string[] args)
    {
        var spec = JsonSerializer.Deserialize<LoadSpec>(await File.ReadAllTextAsync(args[0]), Json)!;
        var window = new LoadWindow();
        using var shutdown = new CancellationTokenSource();
        var releaseStalled = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var connections = spec.Groups.SelectMany(g => Enumerable.Range(0, g.Count).Select(_ => IBenchClient.Create(g, window))).ToList();
        var runs = new List<Task>(connections.Count);
        var started = Stopwatch.GetTimestamp();
        var gate = new SemaphoreSlim(spec.ConnectConcurrency);
        foreach (var connection in connections)
        {
            await gate.WaitAsync();
            runs.Add(Task.Run(() => connection.RunAsync(spec.Port, spec.BufferBytes, releaseStalled.Task, shutdown.Token)));
            _ = connection.HeadersReceived.ContinueWith(_ => gate.Release(), TaskScheduler.Default);
        }

        await Task.WhenAll(connections.Select(c => c.HeadersReceived));

        var connectSeconds = Stopwatch.GetElapsedTime(started).TotalSeconds;
        Console.WriteLine($"@connected {connections.Count(c => c.Connected)} {connections.Count(c => c.Failed)} {connectSeconds:F2}");
        _ = Task.Run(() => ReportCatchUpAsync(connections, shutdown.Token));

        LoadResult? result = null;
        while (await Console.In.ReadLineAsync() is { } line)
        {
            var parts = line.Split(' ', 2);
            switch (parts[0])
            {
                case "window":
                    window.Start();
                    Console.WriteLine("@ok window");
                    break;
                case "probe":
                    var probes = await ProbeAsync(spec, int.Parse(parts[1], CultureInfo.InvariantCulture));
                    Console.WriteLine("@probe " + JsonSerializer.Serialize(probes, Json));
                    break;
                case "endwindow":
                    window.Stop();
                    var snapshot = new LoadResult(connectSeconds, window.Seconds, window.Events, window.Bytes, LatencyHistogram.Summarize(), []);
                    Console.WriteLine("@window " + JsonSerializer.Serialize(snapshot, Json));
                    break;
                case "final":
                    var finals = ParseFinals(parts.Length > 1 ? parts[1] : "");
                    await WaitForFinalsAsync(connections, finals, TimeSpan.FromSeconds(10));
                    releaseStalled.TrySetResult();
                    await Task.WhenAll(connections.Where(c => c.Group.Kind == ClientKind.Stalled).Select(c => c.HeadersReceived)).WaitAsync(TimeSpan.FromSeconds(1)).ContinueWith(_ => { }, TaskScheduler.Default);
                    await Task.Delay(TimeSpan.FromSeconds(spec.Groups.Any(g => g.Kind == ClientKind.Stalled) ? 6 : 0));
                    result = Summarize(spec, connections, finals, window, connectSeconds);
                    Console.WriteLine("@result " + JsonSerializer.Serialize(result, Json));
                    await shutdown.CancelAsync();
                    return 0;
                default:
                    break;
            }
        }

        return result is null ? 1 : 0;
    }

    /// <summary>
    /// Time from connect to first event for fresh clients joining a running stream (the readers are warm):
    /// <paramref name="count"/> connections one after another, each closed after its first event.
    /// </summary>
    private static async Task<LatencySummary> ProbeAsync(LoadSpec spec, int count)
    {
        var group = spec.Groups[0] with { Name = "probe", Count = 1, Kind = ClientKind.Normal, LastEventId = null };
        var times = new List<double>();
        // A server that has fallen behind may not deliver a first event at all: give the probes 30 s in total.
        var deadline = Stopwatch.GetTimestamp() + (30 * Stopwatch.Frequency);
        for (var i = 0; i < count && Stopwatch.GetTimestamp() < deadline; i++)
        {
            var probe = IBenchClient.Create(group, new LoadWindow());
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            var run = probe.RunAsync(spec.Port, 16384, Task.CompletedTask, stop.Token);
            while (probe.FirstEvent == 0 && !run.IsCompleted && !stop.IsCancellationRequested)
            {
                await Task.Delay(1);
            }

            if (probe.FirstEvent != 0)
            {
                times.Add(Stopwatch.GetElapsedTime(probe.ConnectStart, probe.FirstEvent).TotalMilliseconds);
            }

            await stop.CancelAsync();
            await run;
            await Task.Delay(50);
        }

        times.Sort();
        return new LatencySummary(times.Count, Quantile(times, 0.5), Quantile(times, 0.99), Quantile(times, 0.999), times.Count > 0 ? times[^1] : 0);
    }

    private static async Task ReportCatchUpAsync(List<IBenchClient> connections, CancellationToken cancellationToken)
    {
        var catchUp = connections.Where(c => c.Group.Kind == ClientKind.CatchUp).ToList();
        while (catchUp.Count > 0 && !cancellationToken.IsCancellationRequested)
        {
            if (catchUp.All(c => c.CaughtUpAt != 0 || !c.Connected))
            {
                Console.WriteLine("@caughtup");
                return;
            }

            await Task.Delay(50, cancellationToken);
        }
    }

    private static Dictionary<int, long> ParseFinals(string text) =>
        text.Split(',', StringSplitOptions.RemoveEmptyEntries)
            .Select(p => p.Split('='))
            .ToDictionary(p => int.Parse(p[0], CultureInfo.InvariantCulture), p => long.Parse(p[1], CultureInfo.InvariantCulture));

    private static bool IsLagging(IBenchClient c, Dictionary<int, long> finals) =>
        c.Connected && c.Group.Keys.Any(k => finals.TryGetValue(k, out var final) && final >= 0 && c.LastSeq(k) < final);

    private static async Task WaitForFinalsAsync(List<IBenchClient> connections, Dictionary<int, long> finals, TimeSpan timeout)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        while (Stopwatch.GetTimestamp() < deadline && connections.Any(c => c.Group.Kind == ClientKind.Normal && IsLagging(c, finals)))
        {
            await Task.Delay(100);
        }
    }

    private static LoadResult Summarize(LoadSpec spec, List<IBenchClient> connections, Dictionary<int, long> finals, LoadWindow window, double connectSeconds)
    {
        var groups = spec.Groups.Select(g =>
        {
            var members = connections.Where(c => c.Group == g).ToList();
            var firsts = members.Where(c => c.FirstEvent != 0).Select(c => Stopwatch.GetElapsedTime(c.ConnectStart, c.FirstEvent).TotalMilliseconds).Order().ToList();
            var caughtUp = members.Where(c => c.CaughtUpAt != 0).Select(c => Stopwatch.GetElapsedTime(c.ConnectStart, c.CaughtUpAt).TotalSeconds).DefaultIfEmpty(0).Max();
            return new GroupResult(
                g.Name,
                g.Kind,
                g.Count,
                members.Count(c => c.Connected),
                members.Count(c => c.Failed),
                members.Sum(c => c.Events),
                members.Sum(c => c.Gaps),
                members.Sum(c => c.Duplicates),
                members.Count(c => IsLagging(c, finals)),
                members.Count(c => c.ClosedByServer),
                Quantile(firsts, 0.5),
                Quantile(firsts, 0.99),
                caughtUp);
        }).ToArray();
        return new LoadResult(connectSeconds, window.Seconds, window.Events, window.Bytes, LatencyHistogram.Summarize(), groups);
    }

    private static double Quantile(List<double> sorted, double q) =>
        sorted.Count == 0 ? 0 : sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(q * sorted.Count) - 1)];
}
