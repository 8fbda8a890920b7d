using System.Diagnostics;
using System.Net;
using Xunit.Abstractions;

namespace EventStreams.IntegrationTests;

/// <summary>Who a client is for the per-client limit when no proxy is trusted, and how fast a closed connection's slot comes back.</summary>
public sealed class ConnectionLimitKeyTests(ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync("""
        streams:
          limit.key:
            topics: [limit.key]
        """, partitions: 1, "--Streaming:MaxConnectionsPerClient=1");

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task KeyHeader_FromAnUntrustedSource_IsIgnored_RemoteAddressCounts()
    {
        using var first = CreateClient();
        first.DefaultRequestHeaders.Add("X-Client-IP", "192.0.2.1");
        first.DefaultRequestHeaders.Add("X-Forwarded-For", "198.51.100.1");
        await using var open = await SseClient.ConnectAsync(first, "v2/stream/limit.key");

        var statuses = await Task.WhenAll(Enumerable.Range(2, 19).Select(async i =>
        {
            using var other = CreateClient();
            other.DefaultRequestHeaders.Add("X-Client-IP", $"192.0.2.{i}");
            other.DefaultRequestHeaders.Add("X-Forwarded-For", $"198.51.100.{i}");
            using var response = await other.GetAsync("v2/stream/limit.key", HttpCompletionOption.ResponseHeadersRead).WaitAsync(Wait);
            return response.StatusCode;
        }));

        Assert.Equal(HttpStatusCode.OK, open.Response.StatusCode);
        Assert.All(statuses, status => Assert.Equal(HttpStatusCode.TooManyRequests, status));
    }

    [Fact]
    public async Task QuickCloseAndReopen_1000Times_NoSpurious429()
    {
        var cycles = int.TryParse(Environment.GetEnvironmentVariable("EVENTSTREAMS_RECONNECT_CYCLES"), out var n) ? n : 1000;
        var refused = 0;
        var clock = Stopwatch.StartNew();

        for (var i = 0; i < cycles; i++)
        {
            using var http = CreateClient();
            await using var sse = await SseClient.ConnectAsync(http, "v2/stream/limit.key");
            if (sse.Response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refused++;
                continue;
            }

            Assert.Equal(HttpStatusCode.OK, sse.Response.StatusCode);
            Assert.Equal("ok", (await sse.ReadAsync(Wait))?.Comment);
        }

        output.WriteLine($"{cycles} close/reopen cycles in {clock.Elapsed.TotalSeconds:0.0} s: {refused} refused with 429");
        Assert.Equal(0, refused);
    }

    /// <summary>A client of its own per call, which closes the connection when the response is disposed (no draining of an endless body).</summary>
    private HttpClient CreateClient() => new(new SocketsHttpHandler { MaxResponseDrainSize = 0, PooledConnectionLifetime = TimeSpan.Zero })
    {
        BaseAddress = _server.BaseAddress,
        Timeout = Timeout.InfiniteTimeSpan,
    };
}
