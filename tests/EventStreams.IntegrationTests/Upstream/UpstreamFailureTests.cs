using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace EventStreams.IntegrationTests.Upstream;

/// <summary>What a client sees when the upstream fails: the upstream's 4xx as it is, this server's 502/504 problems otherwise, never a hang.</summary>
public sealed class UpstreamFailureTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private FakeReferenceUpstream _fake = null!;
    private UpstreamModeServer _server = null!;

    public async Task InitializeAsync()
    {
        _fake = await FakeReferenceUpstream.StartAsync();
        _server = await UpstreamModeServer.StartAsync(_fake.BaseAddress, "--Upstream:ResponseTimeoutSeconds=3");
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _fake.DisposeAsync();
    }

    private static async Task<(HttpStatusCode Status, string Body, HttpResponseMessage Response)> GetAsync(HttpClient http, string path)
    {
        var response = await http.GetAsync(path).WaitAsync(Wait);
        return (response.StatusCode, await response.Content.ReadAsStringAsync().WaitAsync(Wait), response);
    }

    private static JsonElement AssertProblem(string body, int status, string type)
    {
        var problem = JsonDocument.Parse(body).RootElement;
        Assert.Equal(["status", "type", "title", "detail", "method", "uri"], problem.EnumerateObject().Select(p => p.Name));
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.Equal(type, problem.GetProperty("type").GetString());
        return problem;
    }

    [Theory]
    [InlineData("fail-400", HttpStatusCode.BadRequest)]
    [InlineData("fail-429", HttpStatusCode.TooManyRequests)]
    [InlineData("nonexistent", HttpStatusCode.BadRequest)]
    public async Task Upstream4xx_PassesThroughUnchanged(string stream, HttpStatusCode status)
    {
        using var http = _server.CreateClient();
        using var direct = new HttpClient { BaseAddress = _fake.BaseAddress };

        var (viaUs, body, response) = await GetAsync(http, "v2/stream/" + stream);
        var (fromUpstream, upstreamBody, upstreamResponse) = await GetAsync(direct, "v2/stream/" + stream);

        Assert.Equal(status, viaUs);
        Assert.Equal(fromUpstream, viaUs);
        Assert.Equal(upstreamBody, body);
        Assert.Equal(upstreamResponse.Content.Headers.ContentType, response.Content.Headers.ContentType);
        Assert.Equal(upstreamResponse.Headers.RetryAfter, response.Headers.RetryAfter);
    }

    [Fact]
    public async Task Upstream500_Becomes502WithTheUpstreamStatusAndDetail()
    {
        using var http = _server.CreateClient();

        var (status, body, _) = await GetAsync(http, "v2/stream/fail-500");

        Assert.Equal(HttpStatusCode.BadGateway, status);
        var detail = AssertProblem(body, 502, "upstream_error").GetProperty("detail").GetString();
        Assert.Contains("answered HTTP 500", detail, StringComparison.Ordinal);
        Assert.Contains("Kafka exploded", detail, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Upstream504_Becomes504WithTheUpstreamStatus()
    {
        using var http = _server.CreateClient();

        var (status, body, _) = await GetAsync(http, "v2/stream/fail-504");

        Assert.Equal(HttpStatusCode.GatewayTimeout, status);
        Assert.Contains("answered HTTP 504", AssertProblem(body, 504, "upstream_error").GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task UpstreamHtmlBehind200_Becomes502SayingWhatCame()
    {
        using var http = _server.CreateClient();

        var (status, body, _) = await GetAsync(http, "v2/stream/html");

        Assert.Equal(HttpStatusCode.BadGateway, status);
        Assert.Contains("text/html", AssertProblem(body, 502, "upstream_error").GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task SlowUpstream_Returns504AfterTheResponseTimeout()
    {
        using var http = _server.CreateClient();
        var clock = Stopwatch.StartNew();

        var (status, body, _) = await GetAsync(http, "v2/stream/slow");

        Assert.Equal(HttpStatusCode.GatewayTimeout, status);
        Assert.Contains("ResponseTimeoutSeconds", AssertProblem(body, 504, "upstream_timeout").GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.InRange(clock.Elapsed, TimeSpan.FromSeconds(2.9), TimeSpan.FromSeconds(14));
        await _fake.Connections.WaitUntilAsync(n => n == 0, Wait, "connections to the slow upstream after the timeout");
    }

    [Fact]
    public async Task UpstreamClosingMidStream_CutsTheClientWhichResumesWithItsLastId()
    {
        using var http = _server.CreateClient();

        await using var sse = await SseClient.ConnectAsync(http, "v2/stream/cut");
        var first = await sse.NextEventAsync(Wait);
        _fake.Shared.Cut.Release();
        var ended = await Record.ExceptionAsync(() => sse.NextEventAsync(Wait));
        await using var resumed = await SseClient.ConnectAsync(http, "v2/stream/recentchange", first.Id);
        var next = await resumed.NextEventAsync(Wait);

        Assert.Equal(FakeReferenceUpstream.Id(1), first.Id);
        Assert.True(ended is IOException or HttpRequestException or EndOfStreamException, $"The stream should end, not hang: {ended}");
        Assert.Equal(FakeReferenceUpstream.Id(2), next.Id);
    }

    [Fact]
    public async Task UpstreamAnsweringGarbage_Returns502()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var serve = Task.Run(async () =>
        {
            using var socket = await listener.AcceptSocketAsync();
            var buffer = new byte[4096];
            await socket.ReceiveAsync(buffer);
            await socket.SendAsync(Encoding.ASCII.GetBytes("SSH-2.0-OpenSSH_9.2 not http at all\r\n\r\n"));
            socket.Shutdown(SocketShutdown.Both);
        });
        await using var server = await UpstreamModeServer.StartAsync(new Uri($"http://127.0.0.1:{((IPEndPoint)listener.LocalEndpoint).Port}/"));
        using var http = server.CreateClient();

        var (status, body, _) = await GetAsync(http, "v2/stream/recentchange");
        await serve.WaitAsync(Wait);

        Assert.Equal(HttpStatusCode.BadGateway, status);
        AssertProblem(body, 502, "upstream_unreachable");
    }

    [Fact]
    public async Task UpstreamNotListening_Returns502SayingConnectionRefused()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        await using var server = await UpstreamModeServer.StartAsync(new Uri($"http://127.0.0.1:{port}/"));
        using var http = server.CreateClient();

        var (status, body, _) = await GetAsync(http, "_info");

        Assert.Equal(HttpStatusCode.BadGateway, status);
        Assert.Contains("refused", AssertProblem(body, 502, "upstream_unreachable").GetProperty("detail").GetString(), StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task ConcurrentRequestLimit_RefusesTheOneOverWith503AndFreesTheSlotOnDisconnect()
    {
        await using var server = await UpstreamModeServer.StartAsync(_fake.BaseAddress, "--Upstream:MaxConcurrentRequests=1");
        using var http = server.CreateClient();

        var first = await SseClient.ConnectAsync(http, "v2/stream/recentchange");
        await first.NextEventAsync(Wait);
        var (status, body, _) = await GetAsync(http, "v2/stream/recentchange");
        await first.DisposeAsync();
        await _fake.OpenStreams.WaitUntilAsync(n => n == 0, Wait, "open upstream streams");
        await using var again = await SseClient.ConnectAsync(http, "v2/stream/recentchange");

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        AssertProblem(body, 503, "upstream_busy");
        Assert.Equal(HttpStatusCode.OK, again.Response.StatusCode);
    }

    [Fact]
    public async Task PerClientLimit_AppliesToForwardedStreams()
    {
        await using var server = await UpstreamModeServer.StartAsync(_fake.BaseAddress, "--Streaming:MaxConnectionsPerClient=1");
        using var http = server.CreateClient();
        http.DefaultRequestHeaders.Add("X-Client-IP", "192.0.2.1");

        await using var first = await SseClient.ConnectAsync(http, "v2/stream/recentchange");
        await first.NextEventAsync(Wait);
        var (status, body, _) = await GetAsync(http, "v2/stream/recentchange");

        Assert.Equal(HttpStatusCode.TooManyRequests, status);
        AssertProblem(body, 429, "too_many_requests");
    }
}
