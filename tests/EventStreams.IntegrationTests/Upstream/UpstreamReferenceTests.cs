using System.Diagnostics;
using System.Net;
using System.Text.Json;

namespace EventStreams.IntegrationTests.Upstream;

/// <summary>Upstream mode in front of a stand-in for the reference service: what is forwarded, and what is not.</summary>
public sealed class UpstreamReferenceTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private FakeReferenceUpstream _fake = null!;
    private UpstreamModeServer _server = null!;

    public async Task InitializeAsync()
    {
        _fake = await FakeReferenceUpstream.StartAsync();
        _server = await UpstreamModeServer.StartAsync(_fake.BaseAddress, "--Upstream:Headers:X-Test=hello", "--Info:Environment=beta");
    }

    public async Task DisposeAsync()
    {
        await _server.DisposeAsync();
        await _fake.DisposeAsync();
    }

    [Fact]
    public async Task Stream_WithLastEventIdAndQuery_ForwardsThemAndRelaysTheUpstreamsEventsAndIds()
    {
        using var http = _server.CreateClient();
        http.DefaultRequestHeaders.Add("Cookie", "session=secret");

        await using var sse = await SseClient.ConnectAsync(http, "v2/stream/recentchange?since=2024-01-01T00:00:00Z&filter=wiki%3Dtestwiki", FakeReferenceUpstream.Id(5));
        var events = new List<SseEvent>();
        for (var i = 0; i < 3; i++)
        {
            events.Add(await sse.NextEventAsync(Wait));
        }

        var received = Assert.Single(_fake.Received);
        Assert.Equal(HttpStatusCode.OK, sse.Response.StatusCode);
        Assert.Equal("text/event-stream", sse.Response.Content.Headers.ContentType?.MediaType);
        Assert.Equal([FakeReferenceUpstream.Id(6), FakeReferenceUpstream.Id(7), FakeReferenceUpstream.Id(8)], events.Select(e => e.Id));
        Assert.Equal([6L, 7L, 8L], events.Select(e => e.Json.GetProperty("seq").GetInt64()));
        Assert.Equal("/v2/stream/recentchange?since=2024-01-01T00:00:00Z&filter=wiki%3Dtestwiki", received.PathAndQuery);
        Assert.Equal(FakeReferenceUpstream.Id(5), received.LastEventId);
        Assert.Equal("text/event-stream", received.Accept);
        Assert.StartsWith("EventStreams-dotnet/", received.UserAgent, StringComparison.Ordinal);
        Assert.Equal("hello", received.TestHeader);
        Assert.Null(received.Cookie);
    }

    [Fact]
    public async Task Stream_AcceptJson_RelaysNdjson()
    {
        using var http = _server.CreateClient();

        await using var stream = await SseClient.ConnectAsync(http, "v2/stream/mediawiki.recentchange", accept: "application/json");
        var line = await stream.ReadLineAsync(Wait);

        Assert.Equal("application/json", stream.Response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(1, JsonDocument.Parse(line!).RootElement.GetProperty("seq").GetInt64());
        Assert.Equal("application/json", Assert.Single(_fake.Received).Accept);
    }

    [Fact]
    public async Task SpecAndInfo_Forwarded_AreTheUpstreamsOwn()
    {
        using var http = _server.CreateClient();

        var spec = JsonDocument.Parse(await http.GetStringAsync("?spec").WaitAsync(Wait)).RootElement;
        var info = JsonDocument.Parse(await http.GetStringAsync("_info").WaitAsync(Wait)).RootElement;

        var names = spec.GetProperty("paths").GetProperty("/v2/stream/{streams}").GetProperty("get").GetProperty("parameters")[0]
            .GetProperty("schema").GetProperty("items").GetProperty("enum").EnumerateArray().Select(e => e.GetString());
        Assert.Equal(FakeReferenceUpstream.StreamNames, names);
        Assert.Equal("fake reference", info.GetProperty("description").GetString());
        Assert.Equal("beta", info.GetProperty("environment").GetString()); // this instance's, as its UI says
        Assert.Equal(_fake.BaseAddress.ToString().TrimEnd('/'), info.GetProperty("upstream").GetString());
    }

    [Fact]
    public async Task UiSettings_UpstreamMode_ShowEnvironmentAndUpstreamAndOfferSseOnlyWithoutIntake()
    {
        using var http = _server.CreateClient();

        var settings = JsonDocument.Parse(await http.GetStringAsync("v2/ui/settings.json").WaitAsync(Wait)).RootElement;

        Assert.Equal("beta", settings.GetProperty("environment").GetString());
        Assert.Equal(_fake.BaseAddress.ToString().TrimEnd('/'), settings.GetProperty("upstream").GetString());
        Assert.Equal(["sse"], settings.GetProperty("transports").EnumerateArray().Select(e => e.GetString()));
        Assert.False(settings.GetProperty("intake").GetBoolean());
    }

    [Fact]
    public async Task Hub_UpstreamMode_IsNotServed()
    {
        using var http = _server.CreateClient();

        using var response = await http.PostAsync("v2/hub/negotiate?negotiateVersion=1", null).WaitAsync(Wait);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("not_found", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("type").GetString());
    }

    [Fact]
    public async Task Stream_PostInsteadOfGet_Returns405ProblemWithoutAskingTheUpstream()
    {
        using var http = _server.CreateClient();

        using var response = await http.PostAsync("v2/stream/recentchange", null).WaitAsync(Wait);

        Assert.Equal(HttpStatusCode.MethodNotAllowed, response.StatusCode);
        Assert.Equal("method_not_allowed", JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("type").GetString());
        Assert.Empty(_fake.Received);
    }

    /// <summary>Live clients of one stream share one upstream request (issue 14 item 5); when they have all left, it is closed within a second.</summary>
    [Fact]
    public async Task Stream_ClientsDisconnect_TheirSharedUpstreamConnectionGoesBackToZeroWithinOneSecond()
    {
        const int clients = 5;
        using var http = _server.CreateClient();
        var streams = new List<SseClient>();
        for (var i = 0; i < clients; i++)
        {
            var sse = await SseClient.ConnectAsync(http, "v2/stream/recentchange");
            Assert.Equal(HttpStatusCode.OK, sse.Response.StatusCode);
            streams.Add(sse);
        }

        await streams[0].NextEventAsync(Wait);
        await _fake.OpenStreams.WaitUntilAsync(n => n == 1, Wait, "open upstream streams");
        var connectionsWhileOpen = _fake.Connections.Count;
        var clock = Stopwatch.StartNew();
        foreach (var sse in streams)
        {
            await sse.DisposeAsync();
        }

        await _fake.OpenStreams.WaitUntilAsync(n => n == 0, TimeSpan.FromSeconds(1), "upstream streams after the clients left");
        await _fake.Connections.WaitUntilAsync(n => n == 0, TimeSpan.FromMilliseconds(Math.Max(1, 1000 - clock.ElapsedMilliseconds)), "upstream TCP connections after the clients left");

        Assert.Equal(1, connectionsWhileOpen);
        Assert.InRange(clock.Elapsed, TimeSpan.Zero, TimeSpan.FromSeconds(1));
    }
}
