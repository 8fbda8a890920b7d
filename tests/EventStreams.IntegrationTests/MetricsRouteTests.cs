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
}
