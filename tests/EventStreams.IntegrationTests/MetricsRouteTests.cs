using System.Net;

namespace EventStreams.IntegrationTests;

public sealed class MetricsRouteTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(
        """
        streams:
          test.api.metrics:
            topics: [test.api.metrics]
        """);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Metrics_WhileClientConnected_CountsIt()
    {
        using var http = _server.CreateClient();
        await using var sse = await SseClient.ConnectAsync(http, "v2/stream/test.api.metrics");
        await sse.ReadAsync(Wait);

        using var response = await http.GetAsync("metrics").WaitAsync(Wait);
        var text = await response.Content.ReadAsStringAsync().WaitAsync(Wait);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("# TYPE eventstreams_connected_clients gauge", text, StringComparison.Ordinal);
        Assert.Contains("eventstreams_connected_clients{stream=\"test.api.metrics\"} 1", text, StringComparison.Ordinal);
        Assert.Contains("eventstreams_client_connections_total{streams=\"test.api.metrics\"} 1", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_ClientLeaves_UncountedBeforeItsNextHeartbeat()
    {
        // On HTTP/1.1 a stream follows its connection's end rather than a cancellation source of the request's own (issue 14
        // item 2): it must still end as soon as its client leaves, not at its next heartbeat (15 s), or never.
        using var http = _server.CreateClient();
        var sse = await SseClient.ConnectAsync(http, "v2/stream/test.api.metrics");
        await sse.ReadAsync(Wait);
        var whileConnected = await ConnectedClientsAsync(http);

        await sse.DisposeAsync();
        var afterLeaving = whileConnected;
        using var beforeTheHeartbeat = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (afterLeaving != 0 && !beforeTheHeartbeat.IsCancellationRequested)
        {
            await Task.Delay(50);
            afterLeaving = await ConnectedClientsAsync(http);
        }

        Assert.Equal(1, whileConnected);
        Assert.Equal(0, afterLeaving);
    }

    private static async Task<int> ConnectedClientsAsync(HttpClient http)
    {
        const string Series = "eventstreams_connected_clients{stream=\"test.api.metrics\"} ";
        var text = await http.GetStringAsync("metrics").WaitAsync(Wait);
        var line = text.Split('\n').Single(l => l.StartsWith(Series, StringComparison.Ordinal));
        return int.Parse(line[Series.Length..], System.Globalization.CultureInfo.InvariantCulture);
    }
}
