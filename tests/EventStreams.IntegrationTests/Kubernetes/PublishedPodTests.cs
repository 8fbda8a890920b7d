using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;

namespace EventStreams.IntegrationTests.Kubernetes;

/// <summary>
/// The published server (<c>dotnet publish</c>, as the Dockerfile builds /app) run as the demo overlay's pod runs it
/// (<see cref="PodProcess"/>: its user, a read-only file tree, its environment and ports), and probed as the rendered
/// probes and Prometheus scrape say. What this cannot show without a container engine or a cluster: the image itself
/// (base image, its user database, the real /tmp mount), and kubelet's probing and the Service's routing.
/// </summary>
public sealed class PublishedPodTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private readonly string _workDir = Path.Combine(Path.GetTempPath(), $"eventstreams-pod-{Guid.NewGuid():N}");
    private RenderedOverlay _demo = null!;
    private PodProcess? _pod;

    public async Task InitializeAsync()
    {
        _demo = await RenderedOverlay.RenderAsync("demo");
        var published = Path.Combine(_workDir, "app");
        await PublishAsync(published);
        _pod = PodProcess.Start(_demo, published, _workDir);
    }

    public async Task DisposeAsync()
    {
        if (_pod is not null)
        {
            await Pod.DisposeAsync();
        }

        Directory.Delete(_workDir, recursive: true);
    }

    [Fact]
    public async Task Probes_OnThePublishedServer_AnswerAsTheProbesExpect()
    {
        var startup = Probe("startupProbe");
        var startupBudget = TimeSpan.FromSeconds((int)startup["periodSeconds"]! * (int)startup["failureThreshold"]!);

        var started = await UntilSuccessAsync(startup, startupBudget);
        var ready = await UntilSuccessAsync(Probe("readinessProbe"), Wait);
        var alive = await AnswerAsync(Probe("livenessProbe"));

        Assert.True(started, $"The startup probe did not succeed within {startupBudget.TotalSeconds} s.\n{Pod.Output}");
        Assert.True(ready, $"The readiness probe did not succeed within {Wait.TotalSeconds} s.\n{Pod.Output}");
        Assert.True(IsSuccess(alive), $"The liveness probe answered {alive}.");
    }

    [Fact]
    public async Task Metrics_OnTheScrapedPort_AndNotOnTheServicePort()
    {
        var annotations = _demo.Deployment["spec"]!["template"]!["metadata"]!["annotations"]!;
        var scrapePort = int.Parse((string)annotations["prometheus.io/port"]!, System.Globalization.CultureInfo.InvariantCulture);
        var scrapePath = (string)annotations["prometheus.io/path"]!;
        var servicePort = _demo.ContainerPort(_demo.One("Service")["spec"]!["ports"]![0]!["targetPort"]!);
        await UntilSuccessAsync(Probe("startupProbe"), Wait);

        using var http = new HttpClient { Timeout = Wait };
        var metrics = await http.GetStringAsync(new Uri($"http://127.0.0.1:{Pod.Ports[scrapePort]}{scrapePath}"));
        var onService = await Pod.GetAsync(servicePort, scrapePath, Wait);

        Assert.Equal(_demo.ContainerPort(JsonValue.Create("metrics")), scrapePort);
        Assert.Contains("# TYPE eventstreams_kafka_reachable gauge", metrics, StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.NotFound, onService);
    }

    [Fact]
    public async Task PublishedServer_AsThePodsUserInAReadOnlyFileTree_ServesDemoEvents()
    {
        await UntilSuccessAsync(Probe("readinessProbe"), Wait);
        var status = await File.ReadAllLinesAsync($"/proc/{Pod.Pid}/status");
        // Through the process's own root (/proc/PID/root), even root may not write beside the published files.
        var write = Record.Exception(() => File.WriteAllText($"/proc/{Pod.Pid}/root{Path.Combine(_workDir, "app", "written-by-test")}", "x"));

        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Pod.Ports[_demo.ContainerPort(JsonValue.Create("http"))]}/"), Timeout = Timeout.InfiniteTimeSpan };
        await using var sse = await SseClient.ConnectAsync(http, "v2/stream/recentchange");
        SseEvent? first;
        do
        {
            first = await sse.ReadAsync(Wait);
        }
        while (first is { Data: null });

        Assert.Equal($"Uid:\t{_demo.PodSpec["securityContext"]!["runAsUser"]}", string.Join('\t', status.Single(l => l.StartsWith("Uid:", StringComparison.Ordinal)).Split('\t')[..2]));
        Assert.Contains("Read-only file system", write?.Message, StringComparison.Ordinal);
        Assert.Equal("mediawiki.recentchange", first?.Json.GetProperty("meta").GetProperty("stream").GetString());
    }

    private PodProcess Pod => _pod ?? throw new InvalidOperationException("The pod did not start.");

    private JsonObject Probe(string name) => _demo.Container[name]!.AsObject();

    private Task<HttpStatusCode?> AnswerAsync(JsonObject probe) =>
        Pod.GetAsync(_demo.ContainerPort(probe["httpGet"]!["port"]!), (string)probe["httpGet"]!["path"]!, TimeSpan.FromSeconds((int)probe["timeoutSeconds"]!));

    /// <summary>Probes as kubelet would until one succeeds (200–399) or the budget runs out.</summary>
    private async Task<bool> UntilSuccessAsync(JsonObject probe, TimeSpan budget)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < budget && !Pod.HasExited)
        {
            if (IsSuccess(await AnswerAsync(probe)))
            {
                return true;
            }

            await Task.Delay(200);
        }

        return false;
    }

    private static bool IsSuccess(HttpStatusCode? status) => status is >= HttpStatusCode.OK and < HttpStatusCode.BadRequest;

    /// <summary><c>dotnet publish</c> of the server from this build's output (same configuration, no rebuild), as the Dockerfile runs it.</summary>
    private static async Task PublishAsync(string output)
    {
        var configuration = Path.GetFileName(Path.GetDirectoryName(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)))!;
        var project = Path.Combine(RepoRoot.Path, "src", "EventStreams.Server", "EventStreams.Server.csproj");
        await Command.RunAsync("dotnet", ["publish", project, "-c", configuration, "--no-build", "-o", output, "-p:UseAppHost=false", "-nologo"], TimeSpan.FromMinutes(5));
    }
}
