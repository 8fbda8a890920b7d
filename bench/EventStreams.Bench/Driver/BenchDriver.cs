namespace EventStreams.Bench.Driver;

/// <summary>The <c>run</c> mode: every scenario against every server, then the Markdown report.</summary>
internal static class BenchDriver
{
    public static async Task<int> RunAsync(string[] args)
    {
        var settings = BenchSettings.Parse(args);
        if (!File.Exists(settings.ServerDll))
        {
            Console.Error.WriteLine($"Server not built: {settings.ServerDll}");
            return 2;
        }

        var started = DateTime.UtcNow;
        var runner = new ScenarioRunner(settings);
        var scenarios = settings.Smoke ? [.. Scenarios.Smoke()]
            : settings.Only.Count == 0 ? [.. Scenarios.Full()]
            : Scenarios.Full().Concat(Scenarios.Extra()).Where(s => settings.Only.Contains(s.Id) || (s.Pair is not null && settings.Only.Contains(s.Pair))).ToList();
        var measurements = new List<Measurement>();
        foreach (var scenario in scenarios)
        {
            Console.WriteLine($"== {scenario.Title}");
            // Repeated scenarios alternate the servers, so that both see the machine's changing load.
            for (var attempt = 1; attempt <= scenario.Repeats; attempt++)
            {
                foreach (var server in scenario.Servers.Where(k => settings.Servers.Count == 0 || settings.Servers.Contains(k)))
                {
                    var m = await runner.RunAsync(scenario, server, attempt) with { Attempt = attempt };
                    measurements.Add(m);
                    Console.WriteLine("  " + ReportWriter.OneLine(m));
                    if (m.Failed > scenario.Clients / 10 || m.Error is not null)
                    {
                        // Kept in the report, and measured once more (the process logs say what happened).
                        Console.WriteLine($"  {(m.Error is null ? $"{m.Failed} connections failed" : m.Error)}; running this attempt again");
                        m = await runner.RunAsync(scenario, server, attempt + 100) with { Attempt = attempt };
                        measurements.Add(m);
                        Console.WriteLine("  " + ReportWriter.OneLine(m));
                    }
                }
            }
        }

        if (!settings.Smoke && (settings.Only.Count == 0 || settings.Only.Contains("ladder")) && (settings.Servers.Count == 0 || settings.Servers.Contains(ServerKind.Baseline)))
        {
            Console.WriteLine("== Baseline ladder (10 events/s): how many clients the baseline serves");
            foreach (var clients in Scenarios.BaselineLadder)
            {
                var m = await runner.RunAsync(Scenarios.BaselineAt(clients), ServerKind.Baseline);
                measurements.Add(m);
                Console.WriteLine("  " + ReportWriter.OneLine(m));
                if (!m.KeptUp)
                {
                    break;
                }
            }
        }

        var report = ReportWriter.Write(settings, measurements, started, DateTime.UtcNow);
        Directory.CreateDirectory(Path.GetDirectoryName(settings.ReportPath)!);
        await File.WriteAllTextAsync(settings.ReportPath, report);
        Console.WriteLine();
        Console.WriteLine(report);
        Console.WriteLine($"Report: {settings.ReportPath}  (process logs: {settings.LogDirectory})");
        var broken = measurements.Where(m => m.Error is not null || (m.Server == ServerKind.Ours && m.Lost > 0)).ToList();
        return settings.Smoke && broken.Count > 0 ? 1 : 0;
    }
}
