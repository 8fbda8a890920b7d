namespace EventStreams.IntegrationTests;

public sealed class StreamBasicsTests : IAsyncLifetime
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(15);
    private TestServer _server = null!;

    private const string Config = """
        streams:
          test.basic:
            topic_prefixes: [eqiad., codfw.]
            description: basic
        """;

    public async Task InitializeAsync() => _server = await TestServer.StartAsync(Config);

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Stream_NewEvent_ArrivesWithMetaAndId()
    {
        using var http = _server.CreateClient();
        await using var sse = await SseClient.ConnectAsync(http, "v2/stream/test.basic");
        var ok = await sse.ReadAsync(Wait);

        await _server.ProduceAsync("eqiad.test.basic", 0, """{"meta":{"domain":"x"},"n":1}""");
        var e = await sse.NextEventAsync(Wait);

        Assert.Equal("ok", ok!.Comment);
        Assert.Equal("message", e.Event);
        Assert.Equal("eqiad.test.basic", e.Json.GetProperty("meta").GetProperty("topic").GetString());
        Assert.Equal("x", e.Json.GetProperty("meta").GetProperty("domain").GetString());
        Assert.Contains("codfw.test.basic", e.Id, StringComparison.Ordinal);
    }
}
