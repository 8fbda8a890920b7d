using System.Globalization;
using System.Text.Json;

namespace EventStreams.IntegrationTests;

/// <summary>The embedded default as a person runs it: the bundled demo stream config and the demo producer on.</summary>
public sealed class DemoServerFixture : IAsyncLifetime
{
    public TestServer Server { get; private set; } = null!;

    // An empty StreamConfig:Uri selects the bundled demo-streams.yaml; later arguments win over TestServer's own.
    public async Task InitializeAsync() =>
        Server = await TestServer.StartAsync("", 1, "--StreamConfig:Uri=", "--Demo:Enabled=true", "--Demo:EventsPerSecond=200");

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

public sealed class DemoDataTests(DemoServerFixture fixture) : IClassFixture<DemoServerFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private static readonly string[] ChangeTypes = ["edit", "new", "log", "categorize"];

    [Fact]
    public async Task RecentChangeStream_DemoEnabled_DeliversRecentChangeEventsWithinSeconds()
    {
        using var http = fixture.Server.CreateClient();
        await using var sse = await SseClient.ConnectAsync(http, "v2/stream/mediawiki.recentchange");

        var events = new List<SseEvent>();
        for (var i = 0; i < 20; i++)
        {
            events.Add(await sse.NextEventAsync(Wait));
        }

        Assert.All(events, e =>
        {
            Assert.Equal("message", e.Event);
            Assert.NotNull(e.Id);
            var json = e.Json;
            var meta = json.GetProperty("meta");
            Assert.Equal("/mediawiki/recentchange/1.0.0", json.GetProperty("$schema").GetString());
            Assert.Equal("mediawiki.recentchange", meta.GetProperty("stream").GetString());
            Assert.Contains(meta.GetProperty("topic").GetString(), new[] { "eqiad.mediawiki.recentchange", "codfw.mediawiki.recentchange" });
            Assert.True(meta.GetProperty("offset").GetInt64() >= 0);
            Assert.Contains(json.GetProperty("type").GetString(), ChangeTypes);
            Assert.False(string.IsNullOrEmpty(json.GetProperty("title").GetString()));
            Assert.False(string.IsNullOrEmpty(json.GetProperty("wiki").GetString()));
            Assert.Equal("https://" + json.GetProperty("server_name").GetString(), json.GetProperty("server_url").GetString());
            // Live data: made moments ago, not replayed history.
            var age = DateTimeOffset.UtcNow - DateTimeOffset.FromUnixTimeSeconds(json.GetProperty("timestamp").GetInt64());
            Assert.InRange(age, TimeSpan.FromSeconds(-5), TimeSpan.FromSeconds(60));
        });
    }

    [Theory]
    [InlineData("recentchange", "mediawiki.recentchange")]
    [InlineData("revision-create", "mediawiki.revision-create")]
    [InlineData("page-create", "mediawiki.page-create")]
    [InlineData("test", "test.event")]
    public async Task ReferenceShortAlias_DemoConfig_ServesTheStream(string alias, string stream)
    {
        using var http = fixture.Server.CreateClient();
        await using var sse = await SseClient.ConnectAsync(http, "v2/stream/" + alias + "," + stream);

        Assert.Equal(System.Net.HttpStatusCode.OK, sse.Response.StatusCode);
        Assert.Equal(stream, (await sse.NextEventAsync(TimeSpan.FromSeconds(60))).Json.GetProperty("meta").GetProperty("stream").GetString());
    }

    [Fact]
    public async Task ValidationErrorStream_DemoEnabled_DeliversErrorEventsWithTheRejectedEvent()
    {
        using var http = fixture.Server.CreateClient();
        await using var sse = await SseClient.ConnectAsync(http, "v2/stream/eventgate-analytics-external.error.validation");

        var events = new List<JsonElement>();
        for (var i = 0; i < 3; i++)
        {
            events.Add((await sse.NextEventAsync(Wait)).Json);
        }

        Assert.All(events, json =>
        {
            Assert.Equal("/error/2.1.0", json.GetProperty("$schema").GetString());
            Assert.Equal("eventgate-analytics-external.error.validation", json.GetProperty("meta").GetProperty("stream").GetString());
            Assert.Equal("validation", json.GetProperty("error_type").GetString());
            Assert.False(string.IsNullOrWhiteSpace(json.GetProperty("message").GetString()));
            var errored = json.GetProperty("errored_stream_name").GetString();
            Assert.False(string.IsNullOrEmpty(errored));
            var raw = JsonDocument.Parse(json.GetProperty("raw_event").GetString()!).RootElement;
            Assert.Equal(JsonValueKind.Object, raw.ValueKind);
            Assert.Equal(errored, raw.GetProperty("meta").GetProperty("stream").GetString());
        });
    }

    [Fact]
    public async Task PageCreateStream_DemoEnabled_DeliversRevisionCreateShapedEvents()
    {
        using var http = fixture.Server.CreateClient();
        await using var sse = await SseClient.ConnectAsync(http, "v2/stream/mediawiki.page-create");

        var json = (await sse.NextEventAsync(Wait)).Json;

        Assert.Equal("/mediawiki/revision/create/2.0.0", json.GetProperty("$schema").GetString());
        Assert.True(json.GetProperty("rev_id").GetInt64() > 0);
        Assert.False(json.TryGetProperty("rev_parent_id", out _));
        Assert.False(string.IsNullOrEmpty(json.GetProperty("performer").GetProperty("user_text").GetString()));
    }
}

/// <summary>The web UI team measures rendering with the demo at thousands of events per second; it must deliver that rate.</summary>
public sealed class DemoRateTests : IAsyncLifetime
{
    private const int Rate = 2000;
    private TestServer _server = null!;

    public async Task InitializeAsync() =>
        _server = await TestServer.StartAsync("", 1, "--StreamConfig:Uri=", "--Demo:Enabled=true", $"--Demo:EventsPerSecond={Rate}");

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task DemoProducer_TwoThousandPerSecond_ProducesAboutThatRate()
    {
        using var http = _server.CreateClient();
        await using var sse = await SseClient.ConnectAsync(http, "v2/stream/mediawiki.recentchange,mediawiki.revision-create,mediawiki.page-create,eventgate-analytics-external.error.validation,test.event", accept: "application/json");

        // Count by the time each event was made (meta.dt), so a slow reader here cannot make the producer look slow.
        var first = await NextTimeAsync(sse);
        var windowStart = first.AddSeconds(1);
        // Five seconds, so that one catch-up burst after a starved moment (at most a second's worth) cannot dominate.
        var windowEnd = windowStart.AddSeconds(5);
        var inWindow = 0;
        while (true)
        {
            var dt = await NextTimeAsync(sse);
            if (dt >= windowStart && dt < windowEnd)
            {
                inWindow++;
            }
            else if (dt >= windowEnd.AddSeconds(1))
            {
                break;
            }
        }

        Assert.InRange(inWindow / 5.0, Rate * 0.75, Rate * 1.25);
    }

    private static async Task<DateTimeOffset> NextTimeAsync(SseClient client)
    {
        var line = await client.ReadLineAsync(TimeSpan.FromSeconds(15)) ?? throw new EndOfStreamException();
        var dt = JsonDocument.Parse(line).RootElement.GetProperty("meta").GetProperty("dt").GetString()!;
        return DateTimeOffset.Parse(dt, CultureInfo.InvariantCulture);
    }
}
