using System.Text.Json;

namespace EventStreams.IntegrationTests;

/// <summary>The exact wire format of COMPATIBILITY.md: framing, headers, NDJSON, ids, skipping, heartbeats, aliases, filters.</summary>
public sealed class StreamFormatTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private TestServer _server = null!;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync("""
        streams:
          fmt.a:
            topic_prefixes: [eqiad., codfw.]
          fmt.b:
            topics: [fmt.b]
          fmt.quiet:
            topics: [fmt.quiet]
        """, partitions: 2, "--Streaming:HeartbeatSeconds=1", "--StreamConfig:Aliases:fmt.alias=fmt.a", "--Streaming:IdFormat=Offset");

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Sse_RawBytes_MatchTheReferenceFraming()
    {
        using var http = _server.CreateClient();
        using var response = await http.GetAsync("v2/stream/fmt.b", HttpCompletionOption.ResponseHeadersRead).WaitAsync(Wait);
        using var body = new StreamReader(await response.Content.ReadAsStreamAsync());
        using var cts = new CancellationTokenSource(Wait);
        Assert.Equal(":ok", await body.ReadLineAsync(cts.Token));
        Assert.Equal("", await body.ReadLineAsync(cts.Token));

        await _server.ProduceAsync("fmt.b", 1, """{"x":1}""", key: "k1");

        // Heartbeats (every second here) may come first on a slow machine: a ":" line and a blank line each.
        var line = await body.ReadLineAsync(cts.Token);
        while (line == ":")
        {
            Assert.Equal("", await body.ReadLineAsync(cts.Token));
            line = await body.ReadLineAsync(cts.Token);
        }

        Assert.Equal("event: message", line);
        Assert.Equal("""id: [{"topic":"fmt.b","partition":0,"offset":0},{"topic":"fmt.b","partition":1,"offset":1}]""", await body.ReadLineAsync(cts.Token));
        Assert.Equal("""data: {"x":1,"meta":{"topic":"fmt.b","partition":1,"offset":0,"key":"k1"}}""", await body.ReadLineAsync(cts.Token));
        Assert.Equal("", await body.ReadLineAsync(cts.Token));
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Null(response.Content.Headers.ContentType?.CharSet);
        Assert.True(response.Headers.CacheControl?.NoCache);
        Assert.Null(response.Content.Headers.ContentEncoding.FirstOrDefault());
    }

    [Fact]
    public async Task Sse_WithAcceptHeader_HasCharset()
    {
        using var http = _server.CreateClient();
        await using var sse = await SseClient.ConnectAsync(http, "v2/stream/fmt.b");

        Assert.Equal("utf-8", sse.Response.Content.Headers.ContentType?.CharSet);
    }

    [Fact]
    public async Task Ndjson_OneObjectPerLine_NoIdsNoComments()
    {
        using var http = _server.CreateClient();
        await using var ndjson = await SseClient.ConnectAsync(http, "v2/stream/fmt.a", accept: "application/json, text/plain");

        await _server.ProduceAsync("eqiad.fmt.a", 0, """{"n":1}""");
        await _server.ProduceAsync("codfw.fmt.a", 1, """{"n":2}""");
        var lines = new[] { await ndjson.ReadLineAsync(Wait), await ndjson.ReadLineAsync(Wait) };

        Assert.Equal("application/json", ndjson.Response.Content.Headers.ContentType?.MediaType);
        Assert.Equal([1, 2], lines.Select(l => JsonDocument.Parse(l!).RootElement.GetProperty("n").GetInt32()).Order());
    }

    [Fact]
    public async Task NonJsonMessages_AreSkipped_StreamContinues()
    {
        using var http = _server.CreateClient();
        await using var sse = await SseClient.ConnectAsync(http, "v2/stream/fmt.b");
        await sse.ReadAsync(Wait);

        await _server.ProduceAsync("fmt.b", 0, "this is not json");
        await _server.ProduceAsync("fmt.b", 0, "[1,2,3]");
        await _server.ProduceAsync("fmt.b", 0, """{"good":true}""");
        var e = await sse.NextEventAsync(Wait);

        Assert.True(e.Json.GetProperty("good").GetBoolean());
        Assert.Equal(2, e.Json.GetProperty("meta").GetProperty("offset").GetInt64() - 0);
    }

    [Fact]
    public async Task QuietStream_SendsHeartbeatComments()
    {
        using var http = _server.CreateClient();
        await using var sse = await SseClient.ConnectAsync(http, "v2/stream/fmt.quiet");
        Assert.Equal("ok", (await sse.ReadAsync(Wait))!.Comment);

        var heartbeat = await sse.ReadAsync(Wait);

        Assert.NotNull(heartbeat!.Comment);
        Assert.Null(heartbeat.Data);
    }

    [Fact]
    public async Task Alias_ServesTheSameTopics_AndMultipleStreamsUnionTheirTopics()
    {
        using var http = _server.CreateClient();
        await using var sse = await SseClient.ConnectAsync(http, "v2/stream/fmt.alias,fmt.b,fmt.a");
        await sse.ReadAsync(Wait);

        await _server.ProduceAsync("codfw.fmt.a", 0, """{"via":"alias"}""");
        var e = await sse.NextEventAsync(Wait);
        using var id = JsonDocument.Parse(e.Id!);

        Assert.Equal("alias", e.Json.GetProperty("via").GetString());
        Assert.Equal(6, id.RootElement.GetArrayLength());
        Assert.Equal(3, id.RootElement.EnumerateArray().Select(p => p.GetProperty("topic").GetString()).Distinct().Count());
    }

    [Fact]
    public async Task Filter_SendsOnlyMatchingEvents()
    {
        using var http = _server.CreateClient();
        await using var sse = await SseClient.ConnectAsync(http, "v2/stream/fmt.b?filter=meta.domain!=canary&filter=type=edit");
        await sse.ReadAsync(Wait);

        await _server.ProduceAsync("fmt.b", 0, """{"type":"edit","meta":{"domain":"canary"},"n":1}""");
        await _server.ProduceAsync("fmt.b", 0, """{"type":"log","meta":{"domain":"en.wikipedia.org"},"n":2}""");
        await _server.ProduceAsync("fmt.b", 0, """{"type":"edit","meta":{"domain":"en.wikipedia.org"},"n":3}""");
        var e = await sse.NextEventAsync(Wait);

        Assert.Equal(3, e.Json.GetProperty("n").GetInt32());
        Assert.Contains("\"offset\":3", e.Id, StringComparison.Ordinal);
        Assert.Equal("1", sse.Response.Headers.GetValues("X-EventStreams-Filters").Single());
    }

    [Fact]
    public async Task LastEventId_ExpiredOrFutureOffsets_AreClampedNotRejected()
    {
        await _server.ProduceAsync("fmt.quiet", 0, """{"n":"first"}""");
        using var http = _server.CreateClient();
        await using var sse = await SseClient.ConnectAsync(http, "v2/stream/fmt.quiet",
            """[{"topic":"fmt.quiet","partition":0,"offset":-2},{"topic":"fmt.quiet","partition":1,"offset":999999}]""");

        var e = await sse.NextEventAsync(Wait);

        Assert.Equal("first", e.Json.GetProperty("n").GetString());
        Assert.Contains("""{"topic":"fmt.quiet","partition":1,"offset":0}""", e.Id, StringComparison.Ordinal);
    }
}
