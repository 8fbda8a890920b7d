namespace EventStreams.Bench.Driver;

/// <summary>Where things are and the run's options, from the command line.</summary>
internal sealed class BenchSettings
{
    public required string RepoRoot { get; init; }

    public required string BenchDll { get; init; }

    public required string ServerDll { get; init; }

    public required string LogDirectory { get; init; }

    public required string ReportPath { get; init; }

    public bool Smoke { get; init; }

    public HashSet<string> Only { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Servers to run (default all): <c>--servers ours,ceiling</c>.</summary>
    public HashSet<ServerKind> Servers { get; init; } = [];

    /// <summary>Consumers' fetch.wait.max.ms, ours and the baseline's alike. The mock broker holds an empty fetch for all of it.</summary>
    public int FetchWaitMs { get; init; } = 10;

    /// <summary>Extra settings for our server (e.g. <c>--Streaming:IdFormat=Offset</c>).</summary>
    public List<string> OursArgs { get; init; } = [];

    /// <summary>Environment for our server's process (e.g. <c>--ours-env:DOTNET_gcServer=0</c>), for experiments.</summary>
    public Dictionary<string, string> OursEnv { get; init; } = [];

    /// <summary>Hub scenarios' clients are the .NET SignalR client rather than the load generator's own (<c>--hub-client dotnet</c>).</summary>
    public bool DotNetHubClient { get; init; }

    public static BenchSettings Parse(string[] args)
    {
        var benchDll = typeof(BenchSettings).Assembly.Location;
        var root = Path.GetDirectoryName(benchDll)!;
        while (!File.Exists(Path.Combine(root, "EventStreams.sln")))
        {
            root = Path.GetDirectoryName(root) ?? throw new InvalidOperationException("Run the benchmark from inside the repository.");
        }

        // Same configuration as this build (bin/<Configuration>/<tfm>/).
        var tfmDir = Path.GetDirectoryName(benchDll)!;
        var configuration = Path.GetFileName(Path.GetDirectoryName(tfmDir))!;
        var serverDll = Path.Combine(root, "src", "EventStreams.Server", "bin", configuration, Path.GetFileName(tfmDir), "EventStreams.Server.dll");
        var smoke = args.Contains("--smoke");
        var stamp = DateTime.UtcNow.ToString("yyyy-MM-dd-HHmm", System.Globalization.CultureInfo.InvariantCulture);
        var results = Path.Combine(root, "bench", "results");
        string? Value(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        return new BenchSettings
        {
            RepoRoot = root,
            BenchDll = benchDll,
            // --server-dll: another build of our server (e.g. main's, for a before/after in one session).
            ServerDll = Value("--server-dll") ?? serverDll,
            Smoke = smoke,
            LogDirectory = Path.Combine(Path.GetTempPath(), "eventstreams-bench", stamp),
            ReportPath = Value("--out") ?? Path.Combine(results, smoke ? $"smoke-{stamp}.md" : $"{stamp}.md"),
            Servers = [.. (Value("--servers") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries).Select(s => Enum.Parse<ServerKind>(s, ignoreCase: true))],
            Only = [.. (Value("--only") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries)],
            DotNetHubClient = Value("--hub-client") == "dotnet",
            FetchWaitMs = int.TryParse(Value("--fetch-wait-ms"), out var fw) ? fw : 10,
            OursEnv = args.Where(a => a.StartsWith("--ours-env:", StringComparison.Ordinal)).Select(a => a["--ours-env:".Length..].Split('=', 2)).ToDictionary(p => p[0], p => p[1]),
            OursArgs = [.. args.Where(a => a.StartsWith("--ours:", StringComparison.Ordinal)).Select(a => "--" + a["--ours:".Length..])],
        };
    }
}
