using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Xunit.Abstractions;

namespace EventStreams.IntegrationTests;

/// <summary><c>/metrics</c> stays bounded whatever clients ask for, answers only GET, and can move to a port of its own.</summary>
public sealed class MetricsSeriesTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private static readonly string[] Streams = ["test.series.a", "test.series.b", "test.series.c", "test.series.d"];

    private static readonly string Config = "streams:\n" + string.Concat(Streams.Select(s => $"  {s}:\n    topics: [{s}]\n"));

    [Fact]
    public async Task Metrics_After40000MixedRequests_OneSeriesPerStreamAndCombination()
    {
        await using var server = await TestServer.StartAsync(Config);
        using var http = server.CreateClient();
        var requests = int.TryParse(Environment.GetEnvironmentVariable("EVENTSTREAMS_METRICS_REQUESTS"), out var n) ? n : 40_000;
        var random = new Random(8);
        var paths = Enumerable.Range(0, requests).Select(_ => MixedPath(random)).ToArray();
        var statuses = new System.Collections.Concurrent.ConcurrentDictionary<int, int>();
        var clock = Stopwatch.StartNew();

        await Parallel.ForEachAsync(paths, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (path, token) =>
        {
            using var response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead, token).WaitAsync(Wait, token);
            statuses.AddOrUpdate((int)response.StatusCode, 1, (_, c) => c + 1);
        });
        var text = await http.GetStringAsync("metrics").WaitAsync(Wait);
        var series = text.Split('\n').Where(line => line.Length > 0 && line[0] != '#').ToList();
        output.WriteLine($"{requests} requests in {clock.Elapsed.TotalSeconds:0.0} s; statuses {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}: {s.Value}"))}; {series.Count} series, {text.Length} bytes");

        Assert.True(statuses.GetValueOrDefault(200) > requests / 4, "enough requests opened a stream");
        Assert.DoesNotContain(statuses.Keys, status => status >= 500);
        Assert.InRange(series.Count(s => s.StartsWith("eventstreams_client_connections_total{", StringComparison.Ordinal)), 1, 15);
        Assert.InRange(series.Count(s => s.StartsWith("eventstreams_connected_clients{", StringComparison.Ordinal)), 1, Streams.Length);
        Assert.True(series.Count < 200, $"{series.Count} series");
    }

    [Fact]
    public async Task Metrics_CombinationsPastTheCap_CountAsOther()
    {
        await using var server = await TestServer.StartAsync(Config, partitions: 1, "--Metrics:MaxStreamCombinations=2");
        using var http = server.CreateClient();

        foreach (var path in new[] { "a", "b", "a,b", "b,a,c", "c,d" }.Select(s => "v2/stream/" + string.Join(',', s.Split(',').Select(x => "test.series." + x))))
        {
            using var response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead).WaitAsync(Wait);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }

        var text = await http.GetStringAsync("metrics").WaitAsync(Wait);
        Assert.Contains("eventstreams_client_connections_total{streams=\"test.series.a\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("eventstreams_client_connections_total{streams=\"test.series.b\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("eventstreams_client_connections_total{streams=\"_other\"} 3", text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("PUT")]
    [InlineData("DELETE")]
    public async Task Metrics_OtherMethodThanGet_Is405ProblemBody(string method)
    {
        await using var server = await TestServer.StartAsync(Config);
        using var http = server.CreateClient();

        using var response = await http.SendAsync(new HttpRequestMessage(new HttpMethod(method), "metrics")).WaitAsync(Wait);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal(405, problem.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task Metrics_WithMetricsPort_ServedThereOnly()
    {
        var port = FreePort();
        await using var server = await TestServer.StartAsync(Config, partitions: 1, $"--Metrics:Port={port}");
        using var http = server.CreateClient();

        using var onPublic = await http.GetAsync("metrics").WaitAsync(Wait);
        var onPrivate = await http.GetStringAsync($"http://127.0.0.1:{port}/metrics").WaitAsync(Wait);

        Assert.Equal(HttpStatusCode.NotFound, onPublic.StatusCode);
        Assert.Contains("eventstreams_kafka_reachable", onPrivate, StringComparison.Ordinal);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Streams in any order and number, with duplicates, unknown names, and query strings of every kind.</summary>
    private static string MixedPath(Random random)
    {
        var names = Enumerable.Range(0, random.Next(1, 6)).Select(_ => Streams[random.Next(Streams.Length)]).ToList();
        return random.Next(8) switch
        {
            0 => $"v2/stream/{string.Join(',', names)},unknown.{random.Next(100_000)}",
            1 => $"v2/stream/{string.Join(',', names)}?since=not-a-time-{random.Next(100_000)}",
            2 => $"v2/stream/{string.Join(',', names)}?filter=x{random.Next(100_000)}",
            3 => $"v2/nothing/{random.Next(100_000)}",
            _ => $"v2/stream/{string.Join(',', names)}?r={random.Next(100_000)}",
        };
    }
}
