using System.Net;
using System.Text.Json;

namespace EventStreams.IntegrationTests;

/// <summary>Malformed streams, since and Last-Event-ID get the documented 4xx JSON problem, and the server keeps serving.</summary>
public sealed class BadInputTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private TestServer _server = null!;

    public async Task InitializeAsync()
    {
        _server = await TestServer.StartAsync("""
        streams:
          bad.one:
            topics: [bad.one]
            topics_allowed: [bad.one, bad.legacy]
          bad.two:
            topics: [bad.two]
          bad.missing:
            topics: [bad.nowhere]
          bad.later:
            topics: [bad.later]
        """, partitions: 2, "--Kafka:EmbeddedCreateTopics=false");
        _server.Cluster.CreateTopic("bad.one", 2);
        _server.Cluster.CreateTopic("bad.two", 2);
    }

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public static TheoryData<string, string?, string?, int, string> Cases() => new()
    {
        { "v2/stream/nope", null, null, 400, "not_found" },
        { "v2/stream/bad.one,nope,also-nope", null, null, 400, "not_found" },
        { "v2/stream/bad.one,", null, null, 400, "not_found" },
        { "v2/stream/bad.one", "yesterday", null, 400, "invalid_timestamp" },
        { "v2/stream/bad.one", "-5", null, 400, "invalid_timestamp" },
        { "v2/stream/bad.one", "99999999999999999999999999", null, 400, "invalid_timestamp" },
        { "v2/stream/bad.one", "2024-13-45T99:00:00Z", null, 400, "invalid_timestamp" },
        { "v2/stream/bad.one", null, "not json", 400, "invalid_last_event_id" },
        { "v2/stream/bad.one", null, "{}", 400, "invalid_last_event_id" },
        { "v2/stream/bad.one", null, "[]", 400, "invalid_last_event_id" },
        { "v2/stream/bad.one", null, "[1,2]", 400, "invalid_last_event_id" },
        { "v2/stream/bad.one", null, """[{"topic":"bad.one"}]""", 400, "invalid_last_event_id" },
        { "v2/stream/bad.one", null, """[{"topic":"bad.one","partition":"0","offset":1}]""", 400, "invalid_last_event_id" },
        { "v2/stream/bad.one", null, """[{"topic":"bad.one","partition":-1,"offset":1}]""", 400, "invalid_last_event_id" },
        { "v2/stream/bad.one", null, """[{"topic":"bad.one","partition":0,"offset":"1"}]""", 400, "invalid_last_event_id" },
        { "v2/stream/bad.one", null, """[{"topic":"bad.one","partition":0,"offset":1e400}]""", 400, "invalid_last_event_id" },
        { "v2/stream/bad.one", null, """[{"topic":"bad.one","partition":0,"offset":99999999999999999999999}]""", 400, "invalid_last_event_id" },
        { "v2/stream/bad.one", null, """[{"topic":"bad.one","partition":0,"timestamp":-3}]""", 400, "invalid_last_event_id" },
        { "v2/stream/bad.one", null, """[{"topic":"bad.one","partition":0}]""", 400, "invalid_last_event_id" },
        { "v2/stream/bad.one", null, """[{"topic":"bad.one","partition":7,"offset":0}]""", 400, "invalid_last_event_id" },
        { "v2/stream/bad.one", null, """[{"topic":"bad.one","partition":2147483648,"offset":0}]""", 400, "invalid_last_event_id" },
        { "v2/stream/bad.one", null, """[{"topic":"bad.two","partition":0,"offset":0}]""", 404, "topic_not_available" },
        { "v2/stream/bad.one", null, """["bad.two"]""", 404, "topic_not_available" },
        { "v2/stream/bad.one", null, """[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]""", 400, "invalid_last_event_id" },
        { "v2/stream/bad.missing", null, null, 500, "configuration_error" },
        { "v2/stream/bad.one?filter=nonsense", null, null, 400, "invalid_filter" },
    };

    [Fact]
    public async Task TopicCreatedAfterARefusal_IsServedWithinSeconds()
    {
        using var http = _server.CreateClient();
        using var refused = await http.GetAsync("v2/stream/bad.later", HttpCompletionOption.ResponseHeadersRead).WaitAsync(Wait);
        _server.Cluster.CreateTopic("bad.later", 1);

        // A missing topic is not remembered for the 30 s of known ones: a client retrying gets its stream within
        // 10 s (the deadline fails the test), not after half a minute.
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        while (await StatusAsync(http, "v2/stream/bad.later") != HttpStatusCode.OK)
        {
            await Task.Delay(100, deadline.Token);
        }

        Assert.Equal(HttpStatusCode.InternalServerError, refused.StatusCode);
    }

    private static async Task<HttpStatusCode> StatusAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path, HttpCompletionOption.ResponseHeadersRead).WaitAsync(Wait);
        return response.StatusCode;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task BadInput_GetsProblemBody(string path, string? since, string? lastEventId, int status, string type)
    {
        var url = since is null ? path : $"{path}?since={Uri.EscapeDataString(since)}";

        await AssertProblemAsync(url, lastEventId, status, type);
    }

    [Fact]
    public async Task LastEventId_TenThousandElements_GetsProblemBody()
    {
        var id = "[" + string.Join(',', Enumerable.Repeat("""{"topic":"bad.one","partition":0,"offset":1}""", 10_000)) + "]";

        await AssertProblemAsync("v2/stream/bad.one", id, 400, "invalid_last_event_id");
    }

    [Fact]
    public async Task LastEventId_OneMegabyte_GetsProblemBody()
    {
        var id = "[\"" + new string('x', 1024 * 1024) + "\"]";

        await AssertProblemAsync("v2/stream/bad.one", id, 400, "invalid_last_event_id");
    }

    [Fact]
    public async Task LastEventId_AllowedLegacyTopicThatDoesNotExist_GetsProblemBody()
    {
        await AssertProblemAsync("v2/stream/bad.one", """[{"topic":"bad.legacy","partition":0,"offset":5}]""", 400, "invalid_last_event_id");
    }

    [Fact]
    public async Task ManyBadRequestsAtOnce_ServerKeepsStreamingToOthers()
    {
        using var http = _server.CreateClient();
        await using var sse = await SseClient.ConnectAsync(http, "v2/stream/bad.one");
        await sse.ReadAsync(Wait);

        var storm = Enumerable.Range(0, 200).Select(i => AssertProblemAsync("v2/stream/bad.one", i % 2 == 0 ? "[{" : "[\"bad.two\"]", i % 2 == 0 ? 400 : 404, i % 2 == 0 ? "invalid_last_event_id" : "topic_not_available"));
        await Task.WhenAll(storm).WaitAsync(TimeSpan.FromSeconds(60));
        await _server.ProduceAsync("bad.one", 1, """{"still":"alive"}""");
        var e = await sse.NextEventAsync(Wait);

        Assert.Equal("alive", e.Json.GetProperty("still").GetString());
    }

    private async Task AssertProblemAsync(string url, string? lastEventId, int status, string type)
    {
        using var http = _server.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (lastEventId is not null)
        {
            request.Headers.TryAddWithoutValidation("Last-Event-ID", lastEventId);
        }

        using var response = await http.SendAsync(request).WaitAsync(Wait);
        var body = await response.Content.ReadAsStringAsync().WaitAsync(Wait);

        Assert.Equal((HttpStatusCode)status, response.StatusCode);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        using var json = JsonDocument.Parse(body);
        Assert.Equal(type, json.RootElement.GetProperty("type").GetString());
        Assert.Equal(status, json.RootElement.GetProperty("status").GetInt32());
        Assert.Equal("GET", json.RootElement.GetProperty("method").GetString());
        Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("title").GetString()));
        Assert.False(string.IsNullOrEmpty(json.RootElement.GetProperty("detail").GetString()));
        Assert.StartsWith("/v2/stream/", json.RootElement.GetProperty("uri").GetString(), StringComparison.Ordinal);
    }
}
