using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace EventStreams.IntegrationTests.Upstream;

/// <summary>One of our servers (direct, on the mock cluster) as the upstream of another: same events, same ids, same spec.</summary>
public sealed class UpstreamOfOurServerTests : IAsyncLifetime
{
    private const string Topic = "test.upstream.ours";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private TestServer _direct = null!;
    private UpstreamModeServer _upstreamMode = null!;

    public async Task InitializeAsync()
    {
        _direct = await TestServer.StartAsync($$"""
            streams:
              {{Topic}}:
                topics: [{{Topic}}]
                stream_aliases: [ours]
                destination_event_service: eventgate-test
            """, 1, "--Info:Environment=upstream-test", "--Streaming:IdFormat=Offset");
        _upstreamMode = await UpstreamModeServer.StartAsync(_direct.BaseAddress, "--Info:Environment=beta");
    }

    public async Task DisposeAsync()
    {
        await _upstreamMode.DisposeAsync();
        await _direct.DisposeAsync();
    }

    private static async Task<List<SseEvent>> ReadAsync(HttpClient http, string path, int count, string? lastEventId = null)
    {
        await using var sse = await SseClient.ConnectAsync(http, path, lastEventId);
        Assert.Equal(HttpStatusCode.OK, sse.Response.StatusCode);
        var events = new List<SseEvent>();
        for (var i = 0; i < count; i++)
        {
            events.Add(await sse.NextEventAsync(Wait));
        }

        return events;
    }

    [Fact]
    public async Task Stream_ThroughUpstreamMode_SameEventsAndIdsAsDirect_AndResumes()
    {
        for (var i = 0; i < 6; i++)
        {
            await _direct.ProduceAsync(Topic, 0, $$"""{"meta":{"stream":"{{Topic}}"},"n":{{i}}}""");
        }

        using var direct = _direct.CreateClient();
        using var proxied = _upstreamMode.CreateClient();

        var fromDirect = await ReadAsync(direct, "v2/stream/ours?since=0", 6);
        var fromProxy = await ReadAsync(proxied, "v2/stream/ours?since=0", 6);
        var resumed = await ReadAsync(proxied, "v2/stream/ours", 3, fromProxy[2].Id);

        Assert.Equal(fromDirect.Select(e => (e.Id, e.Data)), fromProxy.Select(e => (e.Id, e.Data)));
        Assert.Equal([3, 4, 5], resumed.Select(e => e.Json.GetProperty("n").GetInt32()));
        Assert.Equal(fromDirect.Skip(3).Select(e => e.Id), resumed.Select(e => e.Id));
    }

    /// <summary>
    /// Issue 14 item 5: live clients of the same stream share one upstream request (the upstream serves one client, not
    /// three), each gets every event once with the ids a direct client gets, and a resuming client still gets its own.
    /// </summary>
    [Fact]
    public async Task LiveClients_ThroughUpstreamMode_ShareOneUpstreamStream_SameEventsAndIdsAsDirect()
    {
        using var direct = _direct.CreateClient();
        using var proxied = _upstreamMode.CreateClient();
        var clients = new List<SseClient>();
        try
        {
            for (var i = 0; i < 3; i++)
            {
                clients.Add(await SseClient.ConnectAsync(proxied, "v2/stream/ours"));
                Assert.Equal(HttpStatusCode.OK, clients[i].Response.StatusCode);
                Assert.Equal("text/event-stream", clients[i].Response.Content.Headers.ContentType!.MediaType);
            }

            Assert.Equal(1, ConnectedClients(await direct.GetStringAsync("metrics").WaitAsync(Wait)));
            Assert.Equal(3, ConnectedClients(await proxied.GetStringAsync("metrics").WaitAsync(Wait)));
            for (var i = 0; i < 4; i++)
            {
                await _direct.ProduceAsync(Topic, 0, $$"""{"meta":{"stream":"{{Topic}}"},"n":{{i}}}""");
            }

            var fromDirect = await ReadAsync(direct, "v2/stream/ours?since=0", 4);
            foreach (var client in clients)
            {
                var events = new List<SseEvent>();
                for (var i = 0; i < 4; i++)
                {
                    events.Add(await client.NextEventAsync(Wait));
                }

                Assert.Equal(fromDirect.Select(e => (e.Id, e.Data)), events.Select(e => (e.Id, e.Data)));
            }

            var resumed = await ReadAsync(proxied, "v2/stream/ours", 2, fromDirect[1].Id);
            Assert.Equal([2, 3], resumed.Select(e => e.Json.GetProperty("n").GetInt32()));
        }
        finally
        {
            foreach (var client in clients)
            {
                await client.DisposeAsync();
            }
        }
    }

    private static int ConnectedClients(string metrics) => metrics.Split('\n')
        .Where(l => l.StartsWith("eventstreams_connected_clients{", StringComparison.Ordinal))
        .Sum(l => (int)double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));

    [Theory]
    [InlineData("application/json")]
    [InlineData("text/event-stream")]
    public async Task QuietStream_ThroughUpstreamMode_HeadersAtOnceInEveryFormat(string accept)
    {
        // The direct server answers at once; a client with a header timeout must not give up on a quiet stream's front.
        using var proxied = _upstreamMode.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "v2/stream/ours");
        request.Headers.Accept.ParseAdd(accept);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(5));

        using var response = await proxied.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(accept, response.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Metrics_OfUpstreamMode_DescribeTheFront()
    {
        using var proxied = _upstreamMode.CreateClient();
        await using var sse = await SseClient.ConnectAsync(proxied, "v2/stream/ours");
        await sse.ReadAsync(Wait);

        var metrics = await proxied.GetStringAsync("metrics").WaitAsync(Wait);

        // The reference's names for the front's own clients; no Kafka or catalogue series on a server that has neither.
        Assert.Contains("eventstreams_connected_clients{stream=\"ours\"} 1", metrics, StringComparison.Ordinal);
        Assert.Contains("eventstreams_client_connections_total{streams=\"ours\"}", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("eventstreams_kafka_reachable", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain("eventstreams_catalog_streams", metrics, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NpmEventSource_ThroughUpstreamMode_GetsEveryEventOnce()
    {
        // The compatibility client (npm's eventsource) against the front, as against the direct server.
        await using var client = await NodeEventSourceClient.StartAsync(new Uri(_upstreamMode.BaseAddress, "v2/stream/ours"), 5);
        Assert.True((await client.NextAsync(Wait)).Open);
        var marker = Guid.NewGuid().ToString("N");
        for (var i = 0; i < 5; i++)
        {
            await _direct.ProduceAsync(Topic, 0, $$"""{"meta":{"stream":"{{Topic}}"},"marker":"{{marker}}","n":{{i}}}""");
        }

        var received = new List<CompatLine>();
        for (var i = 0; i < 5; i++)
        {
            received.Add(await client.NextMessageAsync(Wait));
        }

        Assert.Equal([0, 1, 2, 3, 4], received.Select(m => m.Json.GetProperty("n").GetInt32()));
        Assert.All(received, m => Assert.Equal(marker, m.Json.GetProperty("marker").GetString()));
        Assert.Equal(0, await client.WaitForExitAsync(Wait));
    }

    /// <summary>
    /// Issue 15: the spec is the upstream's without the routes this instance answers 404 (intake, schema, retention),
    /// and /_info says this instance's environment (what its UI shows), not the upstream's.
    /// </summary>
    [Fact]
    public async Task SpecAndInfo_ThroughUpstreamMode_TheUpstreamsOwnTrueOfThisInstance()
    {
        using var direct = _direct.CreateClient();
        using var proxied = _upstreamMode.CreateClient();

        var directSpec = JsonNode.Parse(await direct.GetStringAsync("?spec").WaitAsync(Wait))!.AsObject();
        var spec = JsonNode.Parse(await proxied.GetStringAsync("?spec").WaitAsync(Wait))!.AsObject();
        var info = JsonDocument.Parse(await proxied.GetStringAsync("_info").WaitAsync(Wait)).RootElement;
        var directInfo = JsonDocument.Parse(await direct.GetStringAsync("_info").WaitAsync(Wait)).RootElement;
        var settings = JsonDocument.Parse(await proxied.GetStringAsync("v2/ui/settings.json").WaitAsync(Wait)).RootElement;

        var directPaths = directSpec["paths"]!.AsObject().Select(p => p.Key).ToList();
        var paths = spec["paths"]!.AsObject().Select(p => p.Key).ToList();
        Assert.Contains("/v2/retention/{streams}", directPaths);
        Assert.Equal(directPaths.Where(p => p.StartsWith("/v2/stream/", StringComparison.Ordinal)), paths);
        foreach (var path in directPaths)
        {
            var url = path.TrimStart('/').Replace("{streams}", Topic, StringComparison.Ordinal).Replace("{stream}", Topic, StringComparison.Ordinal);
            using var response = await proxied.GetAsync(url, HttpCompletionOption.ResponseHeadersRead).WaitAsync(Wait);
            Assert.True(paths.Contains(path) == (response.StatusCode != HttpStatusCode.NotFound), $"{path}: listed {paths.Contains(path)}, answered {(int)response.StatusCode}");
        }

        Assert.Contains("\"destination_event_service\": \"eventgate-test\"", spec.ToJsonString(new JsonSerializerOptions { WriteIndented = true }), StringComparison.Ordinal);
        Assert.Equal("beta", info.GetProperty("environment").GetString());
        Assert.Equal(settings.GetProperty("environment").GetString(), info.GetProperty("environment").GetString());
        Assert.Equal(settings.GetProperty("upstream").GetString(), info.GetProperty("upstream").GetString());
        Assert.Equal(directInfo.GetProperty("description").GetString(), info.GetProperty("description").GetString());
    }

    [Fact]
    public async Task UnknownStream_ThroughUpstreamMode_TheUpstreamsProblemUnchanged()
    {
        using var direct = _direct.CreateClient();
        using var proxied = _upstreamMode.CreateClient();

        using var viaProxy = await proxied.GetAsync("v2/stream/nope").WaitAsync(Wait);
        using var viaDirect = await direct.GetAsync("v2/stream/nope").WaitAsync(Wait);

        Assert.Equal(HttpStatusCode.BadRequest, viaProxy.StatusCode);
        Assert.Equal(await viaDirect.Content.ReadAsStringAsync(), await viaProxy.Content.ReadAsStringAsync());
    }
}
